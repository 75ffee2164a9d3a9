"""benchmarks/loop.py (`uv run nox -s bench`): the commands the docs give for it are true.

Running the bench takes minutes (it times whole nox sessions), so this checks what can go
stale without running it: the options a page names."""

import importlib.util
import sys

from tools.repo_checks import NOX_COMMAND, code_snippets, markdown_files, where
from tools.steps import ROOT


def bench_module(monkeypatch):
    """benchmarks/loop.py, imported (it is a script, not in a package)."""
    spec = importlib.util.spec_from_file_location("loop", ROOT / "benchmarks" / "loop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up in sys.modules
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module


def bench_commands() -> list[tuple[str, list[str]]]:
    """(where, the arguments after `--`) of every `nox -s bench -- …` written as code."""
    found = []
    for page in markdown_files(ROOT):
        for lineno, code in code_snippets(page.read_text(encoding="utf-8")):
            for command in NOX_COMMAND.finditer(code):
                tokens = command[1].split()
                if "bench" in tokens and "--" in tokens:
                    found.append((where(ROOT, page, lineno), tokens[tokens.index("--") + 1 :]))
    return found


def test_every_bench_command_in_the_docs_parses(capsys, monkeypatch):
    loop = bench_module(monkeypatch)
    commands = bench_commands()
    assert commands, "the docs name no `nox -s bench -- …` command: nothing checked"
    for place, args in commands:
        # REF stands for a commit the reader picks
        given = [arg.replace("REF", "HEAD") for arg in args]
        try:
            loop.parse_args(given)
        except SystemExit:
            raise AssertionError(
                f"{place}: `nox -s bench -- {' '.join(args)}`: {capsys.readouterr().err}"
            ) from None
