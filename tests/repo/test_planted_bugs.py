"""Planted bugs (tools/planted_bugs.py): they apply to the code, or the check fails loudly."""

import shutil
import sys
from pathlib import Path

import pytest

from tools import planted_bugs
from tools.planted_bugs import Bug, BugDoesNotApply, Change, SuiteRun
from tools.steps import all_steps, get_step

STEPS_WITH_TESTS = [step for step in all_steps() if planted_bugs.has_suite(step.path)]


def test_a_step_has_its_own_tests():
    """Step 09 holds tests/; the checks below would check nothing if no step had them."""
    assert get_step("09") in STEPS_WITH_TESTS


@pytest.mark.parametrize("step", STEPS_WITH_TESTS, ids=lambda step: step.name)
def test_every_planted_bug_applies_to_the_reference_code(step):
    """Each bug's snippet is found exactly once in the step's code: no bug silently unplanted."""
    bugs = planted_bugs.bugs_for(step)
    assert len(bugs) >= 8, f"step {step.number} has only {len(bugs)} planted bugs"
    problems = planted_bugs.check_bugs_apply(step.path, bugs)
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_bug_names_are_unique():
    names = [bug.name for bug in planted_bugs.BUGS]
    assert len(names) == len(set(names))


def fake_app(root: Path, text: str) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text(text)
    return root


def bug(old: str, new: str = "pass", path: str = "app/main.py") -> Bug:
    return Bug("demo-bug", "the demo is broken", (Change(path, old, new),))


@pytest.mark.parametrize(
    ("text", "old", "path", "found"),
    [
        ("x = 1\n", "if item.owner_id != user.id:", "app/main.py", "is not found"),
        ("y = 2\ny = 2\n", "y = 2", "app/main.py", "is found 2 times"),
        ("x = 1\n", "x = 1", "app/gone.py", "does not exist"),
    ],
    ids=["not found", "found twice", "no such file"],
)
def test_a_bug_that_does_not_apply_fails_loudly(tmp_path, text, old, path, found):
    """Copying raises BugDoesNotApply naming the bug, the file and the snippet; copies nothing."""
    app_dir = fake_app(tmp_path / "step", text)
    with pytest.raises(BugDoesNotApply) as caught:
        planted_bugs.make_copy(app_dir, bug(old, path=path), tmp_path / "copy")
    message = str(caught.value)
    assert "'demo-bug'" in message and path in message and found in message
    if found != "does not exist":
        assert repr(old) in message
    assert not (tmp_path / "copy").exists()
    assert planted_bugs.check_bugs_apply(app_dir, [bug(old, path=path)]) == [message]


def test_make_copy_plants_the_bug_and_leaves_the_original(tmp_path):
    step = get_step("09")
    [wanted] = [b for b in planted_bugs.BUGS if b.name == "list-by-name"]
    original = (step.path / "app/items/service.py").read_text(encoding="utf-8")
    planted_bugs.make_copy(step.path, wanted, tmp_path)
    copied = (tmp_path / "app/items/service.py").read_text(encoding="utf-8")
    assert copied == original.replace("order_by(Item.id)", "order_by(Item.name)")
    assert (step.path / "app/items/service.py").read_text(encoding="utf-8") == original
    assert (tmp_path / "app/main.py").read_text() == (step.path / "app/main.py").read_text()


def test_grade_refuses_to_run_when_a_bug_does_not_apply(tmp_path):
    """All the stale bugs are named at once, and no suite runs (the python doesn't exist)."""
    app_dir = fake_app(tmp_path / "step", "x = 1\n")
    stale = [bug("a = 1"), Bug("other", "other", (Change("app/main.py", "b = 2", ""),))]
    with pytest.raises(BugDoesNotApply) as caught:
        planted_bugs.grade(tmp_path / "no-python", app_dir, app_dir, stale)
    assert "'demo-bug'" in str(caught.value) and "'other'" in str(caught.value)


def test_missing_suite_says_to_write_tests():
    """Step 08's code has no tests/: step 09's check says to write workspace/tests/."""
    step09, step08 = get_step("09"), get_step("08")
    message = planted_bugs.missing_suite(step09, step08.path, "workspace")
    assert message is not None and "write workspace/tests/" in message
    assert planted_bugs.missing_suite(step09, step09.path, "workspace") is None
    assert planted_bugs.missing_suite(step08, step08.path, "workspace") is None


def test_first_failure_is_the_first_failing_test():
    output = (
        "..F\n=== short test summary info ===\n"
        "FAILED tests/test_a.py::test_x[a - b] - assert 422 == 401\n"
        "ERROR tests/test_b.py::test_y - boom\n"
    )
    run = SuiteRun(bug("x"), 1, "1 failed", output)
    assert run.outcome == "fail"
    assert run.first_failure == "tests/test_a.py::test_x[a - b]"
    reason_with_brackets = "FAILED tests/t.py::test_z[1] - assert [1] == [2]\n"
    assert SuiteRun(None, 1, "", reason_with_brackets).first_failure == "tests/t.py::test_z[1]"
    error_only = "ERROR tests/t.py::test_w\n"
    assert SuiteRun(None, 1, "", error_only).first_failure == "tests/t.py::test_w"


def test_report_shows_caught_missed_and_the_change():
    caught = SuiteRun(bug("x = 1", "x = 2"), 1, "1 failed", "FAILED tests/test_a.py::test_x\n")
    missed_bug = Bug("quiet", "nobody notices", (Change("app/main.py", "y = 1", "y = 3"),))
    missed = SuiteRun(missed_bug, 0, "5 passed", "")
    text, failures = planted_bugs.report([caught, missed], "workspace")
    assert "planted bug" in text and "caught by (first failing test in workspace/tests/)" in text
    assert "  test_a.py::test_x" in text
    rows = [line for line in text.splitlines() if "nobody notices" in line]
    assert rows[0].rstrip().endswith("MISSED")
    assert "    - y = 1" in text and "    + y = 3" in text
    assert "2 planted bugs: 1 caught, 1 MISSED." in text
    assert failures == ["1 planted bug(s) MISSED"]


def test_a_missed_change_shows_its_lines_whole():
    """A snippet that begins mid-line ("await session.commit()" without its indentation)
    is shown as the lines of the reference app it touches, whole and indented as there, an
    unchanged one as unchanged (seen: an unchanged line shown as removed and added, and the
    two lines indented differently)."""
    [delete_keeps] = [b for b in planted_bugs.BUGS if b.name == "delete-keeps-item"]
    app = get_step("09").path
    assert planted_bugs.describe_change(delete_keeps, app) == [
        "    in app/items/service.py:",
        "    -     await session.commit()",
        "    +     await session.rollback()",
        "          if result.rowcount == 0:",
    ]
    snippet = "item: OwnItemDep, item_in: ItemUpdate"  # in the middle of its line
    mid_line = Bug("b", "d", (Change("app/items/router.py", snippet, "item: X"),))
    [_, removed, added] = planted_bugs.describe_change(mid_line, app)
    source = (app / "app/items/router.py").read_text(encoding="utf-8").splitlines()
    [whole] = [line for line in source if snippet in line]
    assert removed == f"    - {whole}"
    assert added == f"    + {whole.replace(snippet, 'item: X')}"


# Both ways of running a suite: forked from a preloaded process (Linux, macOS), and one
# `python -m pytest` per run (Windows).
RUNNERS = pytest.mark.parametrize("preloaded", [True, False], ids=["preloaded", "subprocess"])


@RUNNERS
def test_grade_runs_the_suite_on_each_copy(tmp_path, preloaded):
    """End to end, on a tiny app: a caught bug, a missed one, and the baseline that passes.

    The suite's own pytest.toml puts its folder on sys.path, as a learner's does."""
    suite = fake_app(tmp_path / "suite", "def add(a, b):\n    return a + b\n")
    (suite / "pytest.toml").write_text('[pytest]\npythonpath = ["."]\n')
    (suite / "tests").mkdir()
    (suite / "tests" / "test_add.py").write_text(
        "from app.main import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n"
    )
    bugs = [
        Bug("minus", "add subtracts", (Change("app/main.py", "a + b", "a - b"),)),
        Bug("times", "add multiplies", (Change("app/main.py", "a + b", "a * b"),)),
    ]
    runs = planted_bugs.grade(
        sys.executable, suite, suite, bugs, baseline=True, preloaded=preloaded
    )
    assert [run.outcome for run in runs] == ["pass", "fail", "pass"]
    assert runs[1].first_failure == "tests/test_add.py::test_add"
    text, failures = planted_bugs.report(runs, "suite")
    assert "add multiplies" in text and "MISSED" in text
    assert failures == ["1 planted bug(s) MISSED"]
    assert not list(suite.rglob("__pycache__")), "the runs write no bytecode into the folder"


def test_report_says_when_the_tests_fail_on_the_reference_app():
    """A learner's tests that fail on the unchanged reference app can't judge its copies."""
    baseline = SuiteRun(None, 1, "1 failed", "FAILED tests/test_a.py::test_mine - x\n")
    caught = SuiteRun(bug("x = 1"), 1, "1 failed", "FAILED tests/test_a.py::test_mine\n")
    text, failures = planted_bugs.report([baseline, caught], "workspace")
    assert "Your tests fail on the reference app" in text
    assert "tests/test_a.py::test_mine" in text
    assert failures == ["your tests fail on the reference app"]


@RUNNERS
def test_a_cached_grading_tries_the_catching_test_first(tmp_path, preloaded):
    """With a cache, the second grading starts with the test that caught the bug and stops
    there; a suite changed so that no test catches it any more still reports it MISSED."""
    suite = fake_app(tmp_path / "suite", "def add(a, b):\n    return a + b\n")
    (suite / "pytest.toml").write_text('[pytest]\npythonpath = ["."]\n')
    (suite / "tests").mkdir()
    tests = suite / "tests" / "test_add.py"
    passing = "def test_first():\n    assert True\n\n\n"
    tests.write_text(
        "from app.main import add\n\n\n" + passing + "def test_add():\n    assert add(2, 2) == 4\n"
    )
    bugs = [Bug("minus", "add subtracts", (Change("app/main.py", "a + b", "a - b"),))]
    cache = tmp_path / "cache"

    def grade_once() -> SuiteRun:
        return planted_bugs.grade(
            sys.executable, suite, suite, bugs, cache_dir=cache, preloaded=preloaded
        )[0]

    first = grade_once()
    assert first.outcome == "fail" and "1 failed, 1 passed" in first.summary
    again = grade_once()
    assert again.outcome == "fail" and again.first_failure == "tests/test_add.py::test_add"
    assert "passed" not in again.summary, "the test that caught the bug ran first"
    tests.write_text(passing)
    assert grade_once().outcome == "pass", "no test catches it now: MISSED, whatever the cache"
    assert not list(suite.rglob(".pytest_cache")), "the cache stays out of the folder"


def test_own_tests_that_ask_an_async_fixture_without_anyio_get_the_fix(tmp_path):
    """A test file without `pytestmark = pytest.mark.anyio`: pytest names the async fixture
    once, then (pytest issue 14800) errors in every later test that uses it with a bare
    AssertionError in its own code. The check stops at the first error, the one that names
    the fixture, says the suite must pass on its app, names the fix, and says where the bare
    errors of a whole run come from; tracebacks are short."""
    folder = tmp_path / "workspace"
    shutil.copytree(get_step("09").path, folder, ignore=shutil.ignore_patterns("__pycache__"))
    for other in (folder / "tests").glob("test_*.py"):
        if other.name != "test_items.py":
            other.unlink()  # faster; test_items.py's tests are enough
    tests = folder / "tests" / "test_items.py"
    tests.write_text(
        tests.read_text(encoding="utf-8").replace("pytestmark = pytest.mark.anyio\n", ""),
        encoding="utf-8",
    )
    run = planted_bugs.run_own_suite(sys.executable, folder)
    assert run.outcome == "fail", run.output
    assert planted_bugs.ASYNC_FIXTURE_ERROR in run.output
    assert "cls = <class '_pytest.runner.CallInfo'>" not in run.output, "short tracebacks"
    assert "1 error" in run.summary, "stopped at the first failing test, the one to fix"
    said = planted_bugs.own_suite_failed(run, "workspace")
    assert said.startswith("Your tests in workspace/tests/ fail on your app in workspace/app/")
    assert "`pytestmark = pytest.mark.anyio`" in said and "pytest issue 14800" in said
