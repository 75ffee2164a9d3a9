"""Run the step tests (tests/steps) of many steps at once, each in its own pytest process.

Every step has a package called `app`, so each step needs its own process; the processes are
independent, so they run in parallel. Used by `nox -s progress` (a learner's folder against
every step) and `nox -s consistency` (each step's tests against the previous step's code).
Standard library only: the caller passes the Python that has pytest (the session's virtualenv).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tools.steps import ROOT, Step

# Long enough for any step on a slow laptop; a learner's app that hangs at import must not
# hang the whole command.
TIMEOUT_SECONDS = 300
PYCACHE = Path(tempfile.gettempdir()) / "fastapi-workshop-pycache"
# `nox -s step-NN`: as many pytest-xdist workers as CPUs, at most 4 (each one imports the
# libraries once, about a second), each worker of one step as SPEC asks. -n 0 turns them off.
XDIST_ARGS = ("-n", "auto", "--maxprocesses", "4")
# A learner's check (`nox -s step-NN -- workspace`): no tracebacks and no list of test ids;
# the summary at the end (tests/steps/failures.py) names each cause, the place in their code
# and, for common mistakes, the fix. Given after these, --tb=short brings the tracebacks back.
LEARNER_ARGS = ("--tb=no", "-rN")
COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|deselected|xfailed|xpassed)")


@dataclass(frozen=True)
class StepRun:
    step: Step
    app_dir: Path
    returncode: int
    summary: str  # pytest's closing line: "3 failed, 52 passed, 15 deselected in 1.26s"
    output: str  # everything pytest printed
    counts: dict[str, int] = field(default_factory=dict)
    exitfirst: bool = False  # stopped at the first failing test: the counts are partial

    @property
    def outcome(self) -> str:
        """ "pass", "fail" (a test failed) or "error" (the tests could not run at all)."""
        if self.returncode == 0 and self.counts.get("passed", 0) > 0:
            return "pass"
        if self.returncode == 1:
            return "fail"
        return "error"

    @property
    def first_failure(self) -> str | None:
        """The first behaviour that failed, in the words of its test's docstring if printed."""
        found = self._first_failure()
        return found[0] if found else None

    @property
    def first_reason(self) -> str | None:
        """Why the first behaviour failed ("AssertionError: expected 201, but …"), if printed."""
        found = self._first_failure()
        return found[1] if found else None

    def _first_failure(self) -> tuple[str, str | None] | None:
        # The step tests' summary (tests/steps/failures.py) prints, under "what to fix",
        # "- <behaviour>" (one or more) and then, indented, the reason.
        lines = self.output.splitlines()
        for index, line in enumerate(lines):
            if "what to fix" in line and index + 1 < len(lines):
                behaviour = lines[index + 1]
                if behaviour.startswith("- "):
                    reason = ""
                    for later in lines[index + 2 :]:
                        if not later.startswith("- "):
                            reason = later.strip() if later.startswith("    ") else ""
                            break
                    return behaviour[2:].strip(), reason or None
        for line in lines:
            if line.startswith(("FAILED ", "ERROR ")):
                return line.split(" ", 1)[1].strip(), None
        return None


def last_line(text: str) -> str:
    lines = [line.strip(" =") for line in text.strip().splitlines() if line.strip(" =")]
    return lines[-1] if lines else "(no output)"


def parse_counts(summary: str) -> dict[str, int]:
    """{"failed": 3, "passed": 52, …} from pytest's closing line ("1 error" counts as errors)."""
    counts: dict[str, int] = {}
    for number, word in COUNT.findall(summary):
        key = "errors" if word.startswith("error") else word
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def bytecode_env() -> dict[str, str]:
    """Environment variables that make Python cache compiled bytecode under a temp folder.

    Out: {"PYTHONPYCACHEPREFIX": <temp>/fastapi-workshop-pycache, "PYTHONDONTWRITEBYTECODE": ""}.
    Compiling FastAPI & co. afresh costs about two seconds per process, and the step tests
    import the app under test afresh for every test. The cache stays out of steps/ and the
    learner's folder, which is also why PYTHONDONTWRITEBYTECODE (set in some containers and
    CI images to keep __pycache__ folders out of the sources) is switched off here: an empty
    value is "unset" for Python."""
    return {"PYTHONPYCACHEPREFIX": str(PYCACHE), "PYTHONDONTWRITEBYTECODE": ""}


def pytest_command(
    python: str | Path, step: Step, app_dir: Path, basetemp: Path, exitfirst: bool = False
) -> list[str]:
    return [
        str(python),
        # "--app-dir=PATH" in one word: a separate PATH would be taken for a test folder while
        # pytest starts (before the harness declares --app-dir), and its tests/conftest.py loaded.
        *("-m", "pytest", "tests/steps", "--step", step.number, f"--app-dir={app_dir}"),
        *("-q", "--tb=no", "--no-header", "-p", "no:cacheprovider", "--basetemp", str(basetemp)),
        *(["--exitfirst"] if exitfirst else []),
    ]


def run_step(
    python: str | Path, step: Step, app_dir: Path, scratch: Path, exitfirst: bool = False
) -> StepRun:
    """Run one step's tests against the app in app_dir, quietly; never raises for a failure.

    exitfirst stops at the first failing test: enough to know whether the step passes, in
    about a third of the time when it doesn't."""
    basetemp = scratch / f"step-{step.number}-{'x' if exitfirst else 'all'}"
    env = os.environ | bytecode_env() | {"PYTHONIOENCODING": "utf-8"}
    try:
        completed = subprocess.run(
            pytest_command(python, step, app_dir, basetemp, exitfirst),
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"stopped after {TIMEOUT_SECONDS} s: does the app hang when it is imported?"
        return StepRun(step, app_dir, -1, message, message, exitfirst=exitfirst)
    summary = last_line(completed.stdout)
    output = completed.stdout + completed.stderr
    counts = parse_counts(summary)
    return StepRun(step, app_dir, completed.returncode, summary, output, counts, exitfirst)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run_many(
    python: str | Path,
    runs: Sequence[tuple[Step, Path]],
    exitfirst: bool = False,
    jobs: int | None = None,
    skip: Callable[[Step, list[StepRun]], bool] | None = None,
) -> list[StepRun | None]:
    """Run each (step, app folder) pair, several at a time, starting them in the order given;
    results in that order. skip(step, runs finished so far), asked just before a run would
    start, can leave it out: its result is then None (never without skip)."""
    finished: list[StepRun] = []
    lock = threading.Lock()

    def one(step: Step, app_dir: Path, scratch: Path) -> StepRun | None:
        with lock:
            if skip is not None and skip(step, list(finished)):
                return None
        result = run_step(python, step, app_dir, scratch, exitfirst)
        with lock:
            finished.append(result)
        return result

    with (
        tempfile.TemporaryDirectory(
            prefix="workshop-steps-", ignore_cleanup_errors=True
        ) as scratch,
        ThreadPoolExecutor(max_workers=jobs or default_jobs()) as pool,
    ):
        futures = [pool.submit(one, step, app_dir, Path(scratch)) for step, app_dir in runs]
        return [future.result() for future in futures]
