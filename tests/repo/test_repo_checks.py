"""The repo checks (tools/repo_checks.py) find each kind of defect, planted in a small tree.

Each test starts from a clean repository in tmp_path, where every check holds, plants one
defect and expects the check to name it.
"""

import shutil
from pathlib import Path

import pytest

from tools import repo_checks

SESSIONS = {"step-01", "step-02", "docs", "start", "diff"}

MKDOCS = """\
site_name: Test
nav:
  - Home: index.md
  - Steps:
      - steps/01-hello.md
      - steps/02-more.md
markdown_extensions:
  - toc
"""

PAGE = """\
# {title}

```python title="steps/{name}/app/main.py" linenums="1" hl_lines="2"
--8<-- "steps/{name}/app/main.py"
```

Check it: `uv run nox -s step-{number} -- workspace`.
"""

CLEAN = {
    "steps/01-hello/app/__init__.py": "",
    "steps/01-hello/app/main.py": "a = 1\nb = 2\nc = 3\n",
    "steps/02-more/app/__init__.py": "",
    "steps/02-more/app/main.py": "a = 1\nb = 2\nc = 3\nd = 4\n",
    "tests/steps/test_hello.py": "# --8<-- [start:intro]\nx = 1\n# --8<-- [end:intro]\n",
    "mkdocs.yml": MKDOCS,
    "docs/index.md": "# Home\n\nSee [step 01](steps/01-hello.md) and `steps/NN-slug/`.\n",
    "docs/steps/01-hello.md": PAGE.format(title="01", name="01-hello", number="01"),
    "docs/steps/02-more.md": PAGE.format(title="02", name="02-more", number="02"),
    "README.md": "```bash\nuv run nox -s start -- 01   # start\nuv run nox\n```\n"
    "Run it: `uv run fastapi dev workspace/app/main.py --reload-dir workspace`.\n",
    "noxfile.py": "import nox\n\n\n@nox.session\ndef docs(session):\n    pass\n",
}


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def append(root: Path, name: str, text: str) -> None:
    path = root / name
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path) -> Path:
    for name, text in CLEAN.items():
        write(tmp_path, name, text)
    return tmp_path


def all_problems(root: Path) -> list[str]:
    return [
        *repo_checks.check_step_numbering(root),
        *repo_checks.check_step_pages(root),
        *repo_checks.check_snippets(root),
        *repo_checks.check_commands(root, SESSIONS),
        *repo_checks.check_dev_commands(root),
        *repo_checks.check_python_one_liners(root),
        *repo_checks.check_paths(root),
        *repo_checks.check_pure_refactors(root, []),
    ]


def test_the_clean_tree_passes_every_check(repo):
    """Without a planted defect no check complains (so the failures below are the defects')."""
    assert all_problems(repo) == []


# -- numbering ----------------------------------------------------------------------------


def test_a_gap_in_the_numbering_is_found(repo):
    """01, 02, 04: step 03 is missing."""
    write(repo, "steps/04-later/app/main.py", "")
    [problem] = repo_checks.check_step_numbering(repo)
    assert "without a gap" in problem and "missing 03" in problem


def test_a_duplicate_number_is_found(repo):
    """Two folders numbered 02."""
    write(repo, "steps/02-other/app/main.py", "")
    problems = repo_checks.check_step_numbering(repo)
    assert problems == ["step 02 is used by more than one folder: 02-more, 02-other."]


def test_numbering_must_start_at_01(repo):
    """Steps 02 and 03 without a 01."""
    shutil.rmtree(repo / "steps" / "01-hello")
    write(repo, "steps/03-last/app/main.py", "")
    [problem] = repo_checks.check_step_numbering(repo)
    assert "missing 01" in problem


@pytest.mark.parametrize("name", ["3-short", "03_underscore", "03-Capital"])
def test_a_misnamed_step_folder_is_found(repo, name):
    """A folder that is not NN-slug would be silently ignored by every tool: say so."""
    write(repo, f"steps/{name}/app/main.py", "")
    [problem] = repo_checks.check_step_numbering(repo)
    assert problem.startswith(f"steps/{name}: not named NN-slug")


# -- pages --------------------------------------------------------------------------------


def test_a_step_without_a_page_is_found(repo):
    """Step 02 without docs/steps/02-more.md."""
    (repo / "docs/steps/02-more.md").unlink()
    assert repo_checks.check_step_pages(repo) == [
        "step 02-more has no page: write docs/steps/02-more.md (see docs/steps/01-*)."
    ]


def test_a_page_missing_from_the_nav_is_found(repo):
    """The page exists but mkdocs.yml's nav doesn't list it."""
    write(repo, "mkdocs.yml", MKDOCS.replace("      - steps/02-more.md\n", ""))
    assert repo_checks.check_step_pages(repo) == [
        "docs/steps/02-more.md is not in mkdocs.yml's nav: add it under Steps."
    ]


def test_a_page_listed_outside_the_nav_does_not_count(repo):
    """A page named elsewhere in mkdocs.yml (not under nav:) is still missing from the nav."""
    text = MKDOCS.replace("      - steps/02-more.md\n", "") + "extra:\n  page: steps/02-more.md\n"
    write(repo, "mkdocs.yml", text)
    assert len(repo_checks.check_step_pages(repo)) == 1


def test_a_page_without_a_step_is_found(repo):
    """A page left behind after a step was renamed."""
    write(repo, "docs/steps/03-renamed.md", "# old\n")
    [problem] = repo_checks.check_step_pages(repo)
    assert problem.startswith("docs/steps/03-renamed.md belongs to no step")


# -- snippet includes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ('--8<-- "steps/01-hello/app/nope.py"', "steps/01-hello/app/nope.py, which does not exist"),
        (
            '--8<-- "steps/01-hello/app/main.py:2:9"',
            "line 9 is outside the file, which has 3 lines",
        ),
        ('--8<-- "steps/01-hello/app/main.py:7"', "line 7 is outside the file"),
        ('--8<-- "steps/01-hello/app/main.py:3:2"', "the range 3:2 runs backwards"),
        ('--8<-- "steps/01-hello/app/main.py:0:2"', "line 0 is outside the file"),
        (
            '--8<-- "tests/steps/test_hello.py:outro"',
            "has no '--8<-- [start:outro]' or '--8<-- [end:outro]' marker",
        ),
        ('--8<-- "../outside.py"', "../outside.py, which is outside the repository"),
        ("--8<-- 'steps/01-hello/app/gone.py'", "gone.py, which does not exist"),
        ('    --8<-- "steps/01-hello/app/gone.py"', "gone.py, which does not exist"),
        ("--8<--\nsteps/01-hello/app/main.py\nsteps/02-more/app/gone.py\n--8<--", "gone.py"),
    ],
)
def test_a_broken_include_is_found(repo, include, expected):
    """A missing file, a range outside it, a missing section, a path outside the repo."""
    write(repo, "../outside.py", "x = 1\n")
    append(repo, "docs/steps/01-hello.md", f"\n```python\n{include}\n```\n")
    [problem] = repo_checks.check_snippets(repo)
    assert problem.startswith("docs/steps/01-hello.md:")
    assert expected in problem


@pytest.mark.parametrize(
    "include",
    [
        '--8<-- "steps/01-hello/app/main.py:2:3"',
        '--8<-- "steps/01-hello/app/main.py:2"',
        '--8<-- "steps/01-hello/app/main.py:-2:"',
        '--8<-- "tests/steps/test_hello.py:intro"',
        ';--8<-- "steps/01-hello/app/escaped-so-not-an-include.py"',
    ],
)
def test_a_good_include_passes(repo, include):
    """Ranges within the file, a section that exists, an escaped marker: no problem."""
    append(repo, "docs/steps/01-hello.md", f"\n```python\n{include}\n```\n")
    assert repo_checks.check_snippets(repo) == []


def test_linenums_must_be_the_files_own_line_numbers(repo):
    """A block showing lines 2-3 of a file must number them 2-3."""
    block = '\n```python linenums="1"\n--8<-- "steps/01-hello/app/main.py:2:3"\n```\n'
    append(repo, "docs/steps/01-hello.md", block)
    [problem] = repo_checks.check_snippets(repo)
    assert 'linenums="1" but the included code starts at line 2' in problem


def test_highlighted_lines_must_be_in_the_block(repo):
    """hl_lines="5" in a block of two lines highlights nothing: a stale highlight."""
    block = '\n```python linenums="2" hl_lines="5"\n--8<-- "steps/01-hello/app/main.py:2:3"\n```\n'
    append(repo, "docs/steps/01-hello.md", block)
    [problem] = repo_checks.check_snippets(repo)
    assert "highlights line 5 of the block, which holds 2 lines" in problem


SYMBOLS = """\
import os


# The engine comes first.
ENGINE = os.environ.get("X")


class Item:
    def load(self):
        return 1


@decorated
def route():
    return 2
"""


@pytest.mark.parametrize(
    "include",
    [
        "steps/01-hello/app/symbols.py::ENGINE",
        "steps/01-hello/app/symbols.py::Item.load",
        "steps/01-hello/app/symbols.py::ENGINE..route",
    ],
)
def test_a_good_symbol_include_passes(repo, include):
    """Includes by symbol (read by the docs hook): a name, a method, a range of names."""
    write(repo, "steps/01-hello/app/symbols.py", SYMBOLS)
    append(repo, "docs/steps/01-hello.md", f'\n```python\n--8<-- "{include}"\n```\n')
    assert repo_checks.check_snippets(repo) == []


@pytest.mark.parametrize(
    ("include", "expected"),
    [
        ("steps/01-hello/app/symbols.py::Missing", "symbols.py defines no 'Missing'"),
        ("steps/01-hello/app/symbols.py::Item.save", "symbols.py defines no 'Item.save'"),
        ("steps/01-hello/app/symbols.py::route..ENGINE", "ENGINE comes before route"),
        ("steps/01-hello/app/gone.py::route", "gone.py, which does not exist"),
    ],
)
def test_a_broken_symbol_include_is_found(repo, include, expected):
    """A name the file doesn't define, a range that runs backwards, a missing file."""
    write(repo, "steps/01-hello/app/symbols.py", SYMBOLS)
    append(repo, "docs/steps/01-hello.md", f'\n```python\n--8<-- "{include}"\n```\n')
    [problem] = repo_checks.check_snippets(repo)
    assert expected in problem


def test_highlighted_lines_must_be_in_a_symbol_block(repo):
    """::route is 3 lines (decorator included): hl_lines="4" points past it."""
    write(repo, "steps/01-hello/app/symbols.py", SYMBOLS)
    block = '\n```python hl_lines="4"\n--8<-- "steps/01-hello/app/symbols.py::route"\n```\n'
    append(repo, "docs/steps/01-hello.md", block)
    [problem] = repo_checks.check_snippets(repo)
    assert "highlights line 4 of the block, which holds 3 lines" in problem


@pytest.mark.parametrize(
    ("include", "highlights", "what"),
    [
        ("steps/01-hello/app/symbols.py:1:5", "4", "a comment"),
        ("steps/01-hello/app/symbols.py:1:5", "2", "blank"),
        ("steps/01-hello/app/symbols.py::Item..route", "4", "blank"),
    ],
)
def test_a_line_highlighted_alone_must_be_code(repo, include, highlights, what):
    """hl_lines are numbers written by hand: once the file grows above the included lines,
    they point elsewhere (seen: page 04's highlights of the harness had moved onto a comment).
    A line highlighted alone that is blank or a comment is such a stale number."""
    write(repo, "steps/01-hello/app/symbols.py", SYMBOLS)
    block = f'\n```python hl_lines="{highlights}"\n--8<-- "{include}"\n```\n'
    append(repo, "docs/steps/01-hello.md", block)
    [problem] = repo_checks.check_snippets(repo)
    assert f"highlights line {highlights} of the block, which is {what}" in problem


def test_a_highlighted_range_may_start_at_a_comment(repo):
    """A range (4-5: the comment and the line it explains) is the writer's choice."""
    write(repo, "steps/01-hello/app/symbols.py", SYMBOLS)
    block = '\n```python hl_lines="1 4-5"\n--8<-- "steps/01-hello/app/symbols.py:1:5"\n```\n'
    append(repo, "docs/steps/01-hello.md", block)
    assert repo_checks.check_snippets(repo) == []


# -- nox commands -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Run `uv run nox -s progres -- workspace`.\n", ["progres"]),
        ("```bash\nuv run nox -s step-09 -- workspace  # later\n```\n", ["step-09"]),
        ("```bash\nuv run nox -s docs lint\n```\n", ["lint"]),
        ("```bash\nuv run nox --session sttart\n```\n", ["sttart"]),
        ("Check it with `uv run nox -s step-NN -- workspace`.\n", ["step-NN"]),
        ("    ```bash\n    uv run nox -s diff -- 04 05 && uv run nox -s dif\n    ```\n", ["dif"]),
    ],
)
def test_a_command_naming_a_missing_session_is_found(repo, text, unknown):
    """Unknown sessions in code spans and blocks, with several sessions, or a placeholder."""
    append(repo, "docs/index.md", "\n" + text)
    problems = repo_checks.check_commands(repo, SESSIONS)
    assert [p.split("`nox -s ")[1].split("`")[0] for p in problems] == unknown
    assert all(p.startswith("docs/index.md:") for p in problems)


def test_commands_in_the_readme_are_checked(repo):
    """README.md is checked as well as docs/."""
    append(repo, "README.md", "\n`uv run nox -s stat -- 01`\n")
    [problem] = repo_checks.check_commands(repo, SESSIONS)
    assert problem.startswith("README.md:7:")


def test_arguments_after_the_double_dash_are_not_sessions(repo):
    """`-- 04 05` and `-- workspace` are the session's arguments; prose is not code."""
    append(repo, "docs/index.md", "\n`uv run nox -s diff -- workspace 05`\nnox -s prose here\n")
    assert repo_checks.check_commands(repo, SESSIONS) == []


def test_sessions_are_read_from_the_noxfile_without_nox(repo):
    """Outside nox, sessions come from the noxfile's decorators, plus step-NN per step."""
    write(
        repo,
        "noxfile.py",
        "import nox\n\n\n@nox.session(python=False)\ndef start(session):\n    pass\n\n\n"
        '@nox.session(name="my-diff")\ndef diff(session):\n    pass\n',
    )
    assert repo_checks.sessions_in_noxfile(repo) == {"start", "my-diff", "step-01", "step-02"}


# -- fastapi dev commands -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Run `uv run fastapi dev workspace/app/main.py`.\n",
        "```bash\nuv run fastapi dev steps/01-hello/app/main.py --port 8001\n```\n",
        "`uv run fastapi dev steps/01-hello/app/main.py --reload-dir steps/02-more`\n",
    ],
)
def test_a_fastapi_dev_command_watching_the_whole_repository_is_found(repo, text):
    """`fastapi dev FOLDER/app/main.py` without `--reload-dir FOLDER` (or with another one)."""
    append(repo, "docs/index.md", "\n" + text)
    [problem] = repo_checks.check_dev_commands(repo)
    assert problem.startswith("docs/index.md:")
    assert "--reload-dir" in problem


SPLIT_COMMANDS = {
    "bash": "```bash\nuv run fastapi dev workspace/app/main.py \\\n    --port 8001{}\n```\n",
    "powershell": "```powershell\nuv run fastapi dev workspace/app/main.py `\n  -p 8001{}\n```\n",
    "several": "```bash\nX=1 \\\n  uv run fastapi dev \\\n  workspace/app/main.py{}\n```\n",
}


@pytest.mark.parametrize("shell", SPLIT_COMMANDS)
def test_a_command_continued_on_the_next_lines_is_read_whole(repo, shell):
    """A command split with ` \\` (bash) or ` `` (PowerShell) to fit the page is checked
    whole, reported at its first line; with --reload-dir on its last line, it passes."""
    append(repo, "docs/index.md", "\n" + SPLIT_COMMANDS[shell].format(""))
    [problem] = repo_checks.check_dev_commands(repo)
    assert problem.startswith("docs/index.md:6:"), problem
    continuation = " `" if shell == "powershell" else " \\"
    fixed = SPLIT_COMMANDS[shell].format(f"{continuation}\n  --reload-dir workspace")
    write(repo, "docs/index.md", f"# Home\n\n{fixed}")
    assert repo_checks.check_dev_commands(repo) == []


def test_a_fastapi_dev_command_with_its_reload_dir_passes(repo):
    """The option may come after others, in a block or a code span."""
    append(
        repo,
        "docs/index.md",
        "\n```bash\nX=1 uv run fastapi dev steps/01-hello/app/main.py --port 8001 "
        "--reload-dir steps/01-hello\n```\n",
    )
    assert repo_checks.check_dev_commands(repo) == []


# -- python -c one-liners -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "```bash\nuv run python -c \"import sqlite3; print(sqlite3.connect('x.db')\"\n```\n",
        'Run `python -c \'print("a" "b)\'`.\n',
    ],
)
def test_a_python_one_liner_that_does_not_compile_is_found(repo, text):
    """A `python -c` one-liner with a missing parenthesis or quote, in a block or a span."""
    append(repo, "docs/index.md", "\n" + text)
    [problem] = repo_checks.check_python_one_liners(repo)
    assert problem.startswith("docs/index.md:")
    assert "not valid Python" in problem


def test_a_python_one_liner_that_compiles_passes(repo):
    """Both quotings, in README.md and in a page."""
    append(repo, "README.md", "\n`uv run python -c 'import sys; print(sys.version)'`\n")
    append(repo, "docs/index.md", '\n```bash\nuv run python -c "print(1)" > out.txt\n```\n')
    assert repo_checks.check_python_one_liners(repo) == []


# -- paths --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Open `steps/01-hello/app/missing.py`.\n", "steps/01-hello/app/missing.py"),
        ("The tests are in tests/nowhere/.\n", "tests/nowhere/"),
        ("```\ndocs/steps/09-later.md\n```\n", "docs/steps/09-later.md"),
        ("Files: `steps/02-more/app/{main,router}.py`.\n", "steps/02-more/app/{main,router}.py"),
        ("Each `steps/NN-slug/app/config.py`.\n", "steps/NN-slug/app/config.py"),
        ("See steps/01-hello/app/gone.py.\n", "steps/01-hello/app/gone.py"),
    ],
)
def test_a_path_that_does_not_exist_is_found(repo, text, missing):
    """A missing file or folder, in code or prose; braces and placeholders must match files."""
    append(repo, "docs/index.md", "\n" + text)
    [problem] = repo_checks.check_paths(repo)
    assert problem.startswith("docs/index.md:")
    assert problem.endswith(f": {missing} does not exist.")


def test_paths_that_exist_or_are_not_ours_pass(repo):
    """Existing paths, placeholders that match, links, URLs and workspace/ are fine."""
    text = (
        "`steps/01-hello/app/main.py:3:4`, `steps/{01-hello,02-more}/app/main.py`,\n"
        "`steps/NN-slug/app/main.py`, `tests/…`, `docs/steps/`, the end of steps/.\n"
        "[a link](steps/nope.md), https://example.com/docs/nope, `workspace/app/nope.py`.\n"
        "`tests/steps/test_hello.py::test_x`, http://127.0.0.1:8000/docs.\n"
    )
    append(repo, "docs/index.md", "\n" + text)
    assert repo_checks.check_paths(repo) == []


def test_a_step_page_may_name_paths_inside_its_step(repo):
    """pytest's output on a step's page names the step's own tests/test_x.py: it exists there.
    The same path on another page, or one that exists in no step, is still reported."""
    write(repo, "steps/02-more/tests/test_items.py", "")
    append(repo, "docs/steps/02-more.md", "\n```text\ntests/test_items.py ....\n```\n")
    assert repo_checks.check_paths(repo) == []
    append(repo, "docs/steps/01-hello.md", "\n```text\ntests/test_items.py ....\n```\n")
    append(repo, "docs/steps/02-more.md", "\n`tests/test_gone.py`\n")
    problems = repo_checks.check_paths(repo)
    assert [problem.split(":", 2)[2] for problem in problems] == [
        " tests/test_items.py does not exist.",
        " tests/test_gone.py does not exist.",
    ]
    assert problems[0].startswith("docs/steps/01-hello.md:")


# -- pure refactors -----------------------------------------------------------------------


def test_pure_refactors_must_name_real_steps(repo):
    """A declared refactor that is no step, or the first step (it has no previous one)."""
    assert repo_checks.check_pure_refactors(repo, ["02"]) == []
    assert repo_checks.check_pure_refactors(repo, ["07", "01"]) == [
        "PURE_REFACTORS names step 01, which has no previous step.",
        "PURE_REFACTORS names step '07', which does not exist.",
    ]
