"""tools/behaviours.py: the plain-words list of a step's new tests, read from their source."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from tools import behaviours
from tools.steps import ROOT

SOURCE = '''\
import pytest


@pytest.mark.steps("03+")
async def test_old(client):
    """GET /items answers 200."""


@pytest.mark.steps("04+")
@pytest.mark.parametrize("n", [1, 2])
async def test_new(client, n):
    """An item created before a restart is still there after it.

    More words that the list leaves out.
    """


@pytest.mark.steps("04-10")
def test_without_docstring():
    pass


@pytest.mark.steps("12+")
async def test_later(client):
    """Only from step 12."""


def helper():
    """Not a test."""
'''


@pytest.fixture
def test_file(tmp_path) -> Path:
    path = tmp_path / "test_x.py"
    path.write_text(SOURCE, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("spec", "step", "applies"),
    [
        ("03", 3, True),
        ("03", 4, False),
        ("03-07", 7, True),
        ("03-07", 8, False),
        ("08+", 8, True),
        ("08+", 12, True),
        ("08+", 7, False),
    ],
)
def test_step_ranges(spec, step, applies):
    """'03' one step, '03-07' a range, '08+' a step and every later one."""
    assert behaviours.step_range_matches(spec, step) is applies


def test_the_tests_of_a_file_in_order(test_file):
    """Each test_* function with its docstring's first line (or its name) and its ranges."""
    assert behaviours.step_tests_in(test_file) == [
        behaviours.StepTest("test_old", "GET /items answers 200.", ("03+",)),
        behaviours.StepTest(
            "test_new", "An item created before a restart is still there after it.", ("04+",)
        ),
        behaviours.StepTest("test_without_docstring", "test_without_docstring", ("04-10",)),
        behaviours.StepTest("test_later", "Only from step 12.", ("12+",)),
    ]


def test_only_the_tests_new_in_the_step_are_listed(test_file):
    """Step 04: not the 03+ test (it ran before), not the 12+ one (not yet)."""
    assert behaviours.new_behaviours(test_file, 4) == [
        "An item created before a restart is still there after it.",
        "test_without_docstring",
    ]
    assert behaviours.new_behaviours(test_file, 5) == []
    assert behaviours.new_behaviours(test_file, 12) == ["Only from step 12."]


def test_a_file_with_nothing_new_is_an_error(test_file):
    """A page that promises a list and would show none fails the build."""
    with pytest.raises(LookupError, match=r"no test in tests/steps/test_x.py is new in step 05"):
        behaviours.behaviours_markdown(test_file, "tests/steps/test_x.py", 5)


def test_a_test_without_a_steps_marker_is_an_error(tmp_path):
    """As in the harness, which refuses to run it."""
    path = tmp_path / "test_y.py"
    path.write_text('def test_a():\n    """A."""\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"test_a has no @pytest.mark.steps"):
        behaviours.step_tests_in(path)


def test_markdown_keeps_the_words_as_written(tmp_path):
    """Braces, stars, underscores and <…> are escaped outside `code`, kept inside it."""
    path = tmp_path / "test_z.py"
    doc = "GET /items/{id}?skip=<a 30-digit number> with owner_id * 2 answers `{x_y}`."
    path.write_text(
        f'import pytest\n\n\n@pytest.mark.steps("04+")\ndef test_a():\n    """{doc}"""\n',
        encoding="utf-8",
    )
    assert behaviours.behaviours_markdown(path, "t", 4) == (
        "- GET /items/\\{id\\}?skip=&lt;a 30-digit number> with owner\\_id \\* 2 answers `{x_y}`."
    )


def test_the_harness_words_a_failure_with_the_same_function():
    """The failure summary's behaviour (tests/steps/conftest.py) comes from behaviours.behaviour,
    so a page's list and a failing check say the same words."""
    conftest = (ROOT / "tests" / "steps" / "conftest.py").read_text(encoding="utf-8")
    assert "from tools.behaviours import behaviour, step_range_matches" in conftest
    assert "report.behaviour = behaviour(" in conftest
    # The first paragraph, joined: the step tests are wrapped at the docs' code width.
    wrapped = inspect.cleandoc("First line\n  goes on.\n\n  Details.")
    assert behaviours.behaviour(wrapped, "test_a") == "First line goes on."
    assert behaviours.behaviour(None, "test_a[1]") == "test_a[1]"


def test_every_step_test_file_is_readable():
    """Every file of tests/steps that the pages may list parses, and its tests are marked."""
    for path in sorted((ROOT / "tests" / "steps").glob("test_*.py")):
        assert behaviours.step_tests_in(path), f"{path.name} has no test"
