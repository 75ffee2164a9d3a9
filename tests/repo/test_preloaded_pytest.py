"""tools/preloaded_pytest.py: runs forked from one preloaded process behave as fresh ones."""

import sys
from pathlib import Path

import pytest

from tools import preloaded_pytest, step_tests
from tools.preloaded_pytest import Run
from tools.steps import get_step

pytestmark = pytest.mark.skipif(
    not preloaded_pytest.available(), reason="no forkserver on this platform (Windows)"
)


def suite(root: Path, tests: str, config: str = '[pytest]\npythonpath = ["."]\n') -> Path:
    """A folder with app/main.py (add), pytest.toml and tests/test_it.py."""
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    (root / "app" / "main.py").write_text("def add(a, b):\n    return a + b\n")
    (root / "pytest.toml").write_text(config)
    (root / "tests").mkdir()
    (root / "tests" / "test_it.py").write_text(tests)
    return root


def run(*runs: Run, timeout: float = 120) -> list[preloaded_pytest.Completed]:
    return preloaded_pytest.run_many(sys.executable, runs, jobs=2, timeout=timeout)


ARGS = ("tests", "-q", "-p", "no:cacheprovider")


def test_each_run_starts_from_the_preloaded_libraries_untouched(tmp_path):
    """A run that changes a preloaded library (FastAPI, here) leaves the next run a clean one:
    every run is a process of its own, not a worker reused."""
    tests = (
        "import fastapi\n\n\ndef test_fastapi_is_untouched():\n"
        "    assert not hasattr(fastapi, 'CHANGED_BY_A_RUN')\n"
        "    fastapi.CHANGED_BY_A_RUN = True\n"
    )
    folder = suite(tmp_path / "s", tests)
    results = run(*[Run(folder, ARGS)] * 4)
    assert [r.returncode for r in results] == [0, 0, 0, 0], results[-1].output
    assert "fastapi" in preloaded_pytest.PRELOAD


def test_a_strict_suite_passes_and_a_failing_one_fails(tmp_path):
    """filterwarnings = error, as the steps' suites have: the preloaded pytest plugins (anyio
    comes with httpx) don't fail it. Exit statuses are pytest's; the output is the run's."""
    strict = '[pytest]\npythonpath = ["."]\nfilterwarnings = ["error"]\n'
    passing = suite(
        tmp_path / "pass",
        "from app.main import add\n\n\ndef test_add():\n    assert add(2, 2) == 4\n",
    )
    (passing / "pytest.toml").write_text(strict)
    failing = suite(
        tmp_path / "fail",
        "from app.main import add\n\n\ndef test_add():\n    assert add(2, 2) == 5\n",
    )
    ok, failed = run(Run(passing, ARGS), Run(failing, (*ARGS, "-rf")))
    assert ok.returncode == 0 and "1 passed" in ok.output, ok.output
    assert failed.returncode == 1 and "FAILED tests/test_it.py::test_add" in failed.output


def test_the_folder_is_not_on_sys_path(tmp_path):
    """As `python -P -m pytest`: without the suite's own `pythonpath`, `app` can't be imported
    (a learner's `uv run pytest` needs that setting too)."""
    folder = suite(tmp_path / "s", "from app.main import add\n\n\ndef test_add():\n    pass\n", "")
    [result] = run(Run(folder, ARGS))
    assert result.returncode == 2 and "No module named 'app'" in result.output


def test_a_run_that_hangs_is_stopped(tmp_path):
    """Past the timeout the run is killed; its result says so, and the other runs finish."""
    hangs = suite(tmp_path / "hang", "import time\n\n\ndef test_wait():\n    time.sleep(600)\n")
    quick = suite(tmp_path / "quick", "def test_quick():\n    pass\n")
    stopped, finished = run(Run(hangs, ARGS), Run(quick, ARGS), timeout=3)
    assert stopped.returncode == -1 and "stopped after 3 s" in stopped.output
    assert finished.returncode == 0


def test_step_tests_run_preloaded_as_in_a_fresh_process(tmp_path):
    """`nox -s consistency`'s runs of step tests on the previous step's code: forked or
    started afresh, the same outcome and the same first failing behaviour."""
    pairs = [(get_step("03"), get_step("02").path), (get_step("02"), get_step("02").path)]
    preloaded = step_tests.run_preloaded(sys.executable, pairs, exitfirst=True)
    fresh = step_tests.run_many(sys.executable, pairs, exitfirst=True)
    assert [run.outcome for run in preloaded] == ["fail", "pass"], preloaded[0].output[-2000:]
    assert [(r.outcome, r.first_failure) for r in preloaded] == [
        (r.outcome, r.first_failure) for r in fresh
    ]
    assert preloaded[1].counts["passed"] == fresh[1].counts["passed"] > 0
