"""The repository's consistency: steps, pages, includes, commands and paths (tools/repo_checks.py).

Run by `uv run nox -s consistency` (part of the default `uv run nox`). Each failure lists every
place to fix, as file:line.
"""

import json
import os

import pytest

from tools import repo_checks
from tools.steps import PURE_REFACTORS, ROOT

# `nox -s consistency` passes the sessions nox really has; outside nox they are read from the
# noxfile (see repo_checks.sessions_in_noxfile).
SESSIONS_ENV = "WORKSHOP_NOX_SESSIONS"


def nox_sessions() -> set[str] | None:
    given = os.environ.get(SESSIONS_ENV)
    return set(json.loads(given)) if given else None


def assert_none(problems: list[str]) -> None:
    """Fail with one line per problem (file:line: what to fix), without a traceback."""
    if problems:
        pytest.fail(f"{len(problems)} problem(s):\n" + "\n".join(problems), pytrace=False)


def test_steps_are_numbered_from_01_without_gaps():
    """steps/ holds NN-slug folders numbered 01, 02, … with no gap and no duplicate."""
    assert_none(repo_checks.check_step_numbering(ROOT))


def test_every_step_has_a_page_in_the_nav():
    """Every step has docs/steps/NN-slug.md, listed in mkdocs.yml's nav; no page is stale."""
    assert_none(repo_checks.check_step_pages(ROOT))


def test_every_include_in_the_docs_resolves():
    """Every --8<-- include names an existing file, and its range or section is in that file."""
    assert_none(repo_checks.check_snippets(ROOT))


def test_every_nox_command_in_the_docs_names_a_session():
    """Every `nox -s NAME` in docs/ and README.md names a session of the noxfile."""
    sessions = nox_sessions() or repo_checks.sessions_in_noxfile(ROOT)
    assert_none(repo_checks.check_commands(ROOT, sessions))


def test_every_fastapi_dev_command_in_the_docs_watches_its_folder_only():
    """Every `fastapi dev FOLDER/app/main.py` in docs/ and README.md says --reload-dir FOLDER."""
    assert_none(repo_checks.check_dev_commands(ROOT))


def test_every_python_one_liner_in_the_docs_compiles():
    """Every `python -c "CODE"` in docs/ and README.md is valid Python."""
    assert_none(repo_checks.check_python_one_liners(ROOT))


def test_every_path_in_the_docs_exists():
    """Every steps/…, tests/… and docs/… path written in docs/ and README.md exists."""
    assert_none(repo_checks.check_paths(ROOT))


def test_pure_refactors_are_real_steps():
    """Each step exempted as a pure refactor (tools/steps.py) exists and has a previous step."""
    assert_none(repo_checks.check_pure_refactors(ROOT, PURE_REFACTORS))


def test_sessions_read_from_the_noxfile_match_nox():
    """The noxfile reading used outside nox finds exactly the sessions nox has."""
    sessions = nox_sessions()
    if sessions is None:
        pytest.skip(f"only under `nox -s consistency`, which sets {SESSIONS_ENV}")
    assert repo_checks.sessions_in_noxfile(ROOT) == sessions
