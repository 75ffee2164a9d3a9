"""The scripts the pages tell a reader to run (`uv run python PATH …`) run, and print their table.

Each is a benchmark at production cost (bcrypt's 12 rounds, Argon2's 64 MiB), so each runs here
with its smallest measure: what is checked is that the command works as the page gives it, not
its figures. Seen: `uv run python tools/measure_login.py --rounds 3` (page 12) failed on "no
such table: user" once step 11 left the tables to Alembic, and nothing had run it since.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.repo_checks import code_snippets
from tools.step_tests import bytecode_env
from tools.steps import ROOT

SCRIPT = re.compile(r"\buv run python ([\w/.-]+\.py)\b")
# Each script a page names, the options that make its run short, and a line of its output.
RUNS = {
    "tools/measure_login.py": (["--logins", "1", "--rounds", "1"], "One login at production cost"),
    "benchmarks/health_under_login.py": (
        ["--seconds", "0.5", "--samples", "1", "--out", "{tmp}/table.md"],
        "Median time of a cheap request while 4 clients log in",
    ),
}


def scripts_named() -> dict[str, list[str]]:
    """Each script named by `uv run python PATH` in the docs and the README: where."""
    named: dict[str, list[str]] = {}
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for lineno, code in code_snippets(page.read_text(encoding="utf-8")):
            for script in SCRIPT.findall(code):
                named.setdefault(script, []).append(f"{page.relative_to(ROOT)}:{lineno}")
    return named


def test_every_script_a_page_names_is_run_here():
    """A new `uv run python PATH` on a page needs its run in RUNS (and so, a test)."""
    named = scripts_named()
    assert named, "no `uv run python PATH` found: has the pattern stopped matching?"
    missing = {script: where for script, where in named.items() if script not in RUNS}
    assert not missing, f"scripts the pages name but no test runs (add them to RUNS): {missing}"


@pytest.mark.parametrize("script", sorted(RUNS))
def test_a_script_a_page_names_runs(script, tmp_path):
    """The script runs from the repository's root, as the page gives it, and prints its table."""
    options, expected = RUNS[script]
    completed = subprocess.run(
        [sys.executable, script, *(option.format(tmp=tmp_path) for option in options)],
        cwd=ROOT,
        # Bytecode cached outside steps/, as for the step tests
        env=os.environ | bytecode_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert expected in completed.stdout, output[-3000:]
    assert not Path(ROOT / "workshop.db").exists(), f"{script} left a workshop.db in the root"
