"""Run the step tests (tests/steps) of many steps at once, each in its own pytest process.

Every step has a package called `app`, so each step needs its own process; the processes are
independent, so they run in parallel. Used by `nox -s progress` (a learner's folder against
every step) and `nox -s consistency` (each step's tests against the previous step's code).
Standard library only: the caller passes the Python that has pytest (the session's virtualenv).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tools import preloaded_pytest
from tools.steps import ROOT, Step

# Long enough for any step on a slow laptop; a learner's app that hangs at import must not
# hang the whole command.
TIMEOUT_SECONDS = 300
PYCACHE = Path(tempfile.gettempdir()) / "fastapi-workshop-pycache"
# `nox -s step-NN`: as many pytest-xdist workers as CPUs, at most 4 (each one imports the
# libraries once, about a second), each worker of one step as SPEC asks. -n 0 turns them off.
XDIST_ARGS = ("-n", "auto", "--maxprocesses", "4")
# A learner's check (`nox -s step-NN -- workspace`): no tracebacks and no list of failed test
# ids, only why a test was skipped (-rs); the summary at the end (tests/steps/failures.py)
# names each cause, the place in their code and, for common mistakes, the fix. Given after
# these, --tb=short brings the tracebacks back.
LEARNER_ARGS = ("--tb=no", "-rs")
# What pytest-xdist prints when --exitfirst stops its workers.
XDIST_EXITFIRST = "xdist.dsession.Interrupted: stopping after"
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

    Out: {"PYTHONPYCACHEPREFIX": this process's cache folder if it has one (sys.pycache_prefix),
    else <temp>/fastapi-workshop-pycache, "PYTHONDONTWRITEBYTECODE": ""}.
    Compiling FastAPI & co. afresh costs about two seconds per process, and the step tests
    import the app under test afresh for every test. The cache stays out of steps/ and the
    learner's folder, which is also why PYTHONDONTWRITEBYTECODE (set in some containers and
    CI images to keep __pycache__ folders out of the sources) is switched off here: an empty
    value is "unset" for Python. A process that already caches bytecode somewhere (a pytest
    run started so, whose temporary folder may be another: temp_env) passes its own folder on,
    so that there is one cache."""
    return {
        "PYTHONPYCACHEPREFIX": sys.pycache_prefix or str(PYCACHE),
        "PYTHONDONTWRITEBYTECODE": "",
    }


def pytest_args(
    step: Step, app_dir: Path, basetemp: Path, exitfirst: bool = False, workers: int = 0
) -> list[str]:
    """pytest's arguments for step's tests on the app in app_dir, quiet, run from ROOT."""
    return [
        # "--app-dir=PATH" in one word: a separate PATH would be taken for a test folder while
        # pytest starts (before the harness declares --app-dir), and its tests/conftest.py loaded.
        *("tests/steps", "--step", step.number, f"--app-dir={app_dir}"),
        *("-q", "--tb=no", "--no-header", "-p", "no:cacheprovider", "--basetemp", str(basetemp)),
        *(["--exitfirst"] if exitfirst else []),
        # pytest-xdist, as `nox -s step-NN` runs (XDIST_ARGS); 0: one process, no workers.
        *(["-n", str(workers)] if workers else []),
    ]


def pytest_command(
    python: str | Path,
    step: Step,
    app_dir: Path,
    basetemp: Path,
    exitfirst: bool = False,
    workers: int = 0,
) -> list[str]:
    """`python -m pytest` with pytest_args(...)."""
    return [str(python), "-m", "pytest", *pytest_args(step, app_dir, basetemp, exitfirst, workers)]


# A folder in memory (tmpfs) for the tests' temporary files takes this much free space at least
MEMORY_TEMP_MIN_FREE = 1 << 30  # 1 GiB
MEMORY_TEMP_FOLDER = Path("/dev/shm")


def memory_temp_dir() -> Path | None:
    """Where the step tests' temporary files go when a folder in memory can take them:
    /dev/shm on Linux, when it is a writable folder with MEMORY_TEMP_MIN_FREE free (Docker
    gives containers 64 MB there by default: too little, so not used). None elsewhere (macOS,
    Windows): the system's temporary folder, as usual.

    Why: every test makes its own SQLite database, and SQLite syncs the file to disk at each
    commit. In memory, a sync costs nothing: `nox -s step-08` took 9.6 s against 11.7 s with
    /tmp on this project's 2-core machine (three runs each, alternating). Raises nothing."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        stats = os.statvfs(MEMORY_TEMP_FOLDER)
    except OSError:
        return None
    free = stats.f_bavail * stats.f_frsize
    if free < MEMORY_TEMP_MIN_FREE or not os.access(MEMORY_TEMP_FOLDER, os.W_OK | os.X_OK):
        return None
    return MEMORY_TEMP_FOLDER


def temp_env() -> dict[str, str]:
    """{"TMPDIR": memory_temp_dir()} for a pytest run of the step tests, where there is such a
    folder (pytest's tmp_path, and so the tests' databases, go there); {} otherwise."""
    folder = memory_temp_dir()
    return {"TMPDIR": str(folder)} if folder else {}


def speed_env() -> dict[str, str]:
    """What every pytest run of the step tests gets, `nox -s step-NN`'s included: bytecode
    cached (bytecode_env) and temporary files in memory where they can be (temp_env)."""
    return bytecode_env() | temp_env()


def run_env() -> dict[str, str]:
    """The environment of a pytest run started from here: this process's, with speed_env()
    and output in UTF-8 whatever the console's encoding."""
    return os.environ | speed_env() | {"PYTHONIOENCODING": "utf-8"}


def lower_priority(process: subprocess.Popen[str]) -> None:
    """Let a process (and what it starts) have only the CPU time others leave idle: nice 10 on
    Linux and macOS; on Windows it was started with BELOW_NORMAL_PRIORITY_CLASS instead."""
    if hasattr(os, "setpriority"):
        with contextlib.suppress(OSError):  # it has already ended
            os.setpriority(os.PRIO_PROCESS, process.pid, 10)


def stop(process: subprocess.Popen[str], grace: float = 10.0) -> None:
    """Stop a pytest run early, as Ctrl+C does (POSIX): pytest runs its fixtures' teardown,
    so servers a test started end too; killed if still alive after `grace` seconds (and at
    once on Windows, where a single process can't be sent Ctrl+C)."""
    if sys.platform == "win32":
        process.kill()
        return
    process.send_signal(signal.SIGINT)
    timer = threading.Timer(grace, lambda: process.poll() is None and process.kill())
    timer.daemon = True
    timer.start()


def run_step(
    python: str | Path,
    step: Step,
    app_dir: Path,
    scratch: Path,
    exitfirst: bool = False,
    workers: int = 0,
    low_priority: bool = False,
    started: Callable[[subprocess.Popen[str]], None] | None = None,
) -> StepRun:
    """Run one step's tests against the app in app_dir, quietly; never raises for a failure.

    exitfirst stops at the first failing test: enough to know whether the step passes, in
    about a third of the time when it doesn't. workers: pytest-xdist workers (0: none, the
    tests run in the pytest process). low_priority: the run gets only the CPU time that
    others leave idle. started(process) is called with the pytest process once it runs (to
    stop it early: its result then has a negative returncode, and counts as "error")."""
    basetemp = scratch / f"step-{step.number}-{'x' if exitfirst else 'all'}"
    env = run_env()
    flags = 0
    if low_priority and sys.platform == "win32":
        flags = subprocess.BELOW_NORMAL_PRIORITY_CLASS
    process = subprocess.Popen(
        pytest_command(python, step, app_dir, basetemp, exitfirst, workers),
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="replace",
        creationflags=flags,
    )
    if low_priority:
        lower_priority(process)
    if started is not None:
        started(process)
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        message = f"stopped after {TIMEOUT_SECONDS} s: does the app hang when it is imported?"
        return StepRun(step, app_dir, -1, message, message, exitfirst=exitfirst)
    return finished(step, app_dir, process.returncode, stdout, stdout + stderr, exitfirst)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


def run_preloaded(
    python: str | Path,
    runs: Sequence[tuple[Step, Path]],
    exitfirst: bool = False,
    jobs: int | None = None,
) -> list[StepRun]:
    """As run_many(python, runs, exitfirst, jobs): each run forked from one process that has
    imported the libraries (tools/preloaded_pytest.py), about 0.9 s less per run; results in
    the order of `runs`. Where that can't be done (Windows), run_many itself. Raises
    RuntimeError if the preloaded runner itself fails (not for a failing run)."""
    if not preloaded_pytest.available():
        return [run for run in run_many(python, runs, exitfirst, jobs) if run is not None]
    with tempfile.TemporaryDirectory(
        prefix="workshop-steps-", dir=memory_temp_dir(), ignore_cleanup_errors=True
    ) as scratch:
        preloaded_runs = [
            preloaded_pytest.Run(
                ROOT, tuple(pytest_args(step, app_dir, Path(scratch) / f"run-{i}", exitfirst))
            )
            for i, (step, app_dir) in enumerate(runs)
        ]
        done = preloaded_pytest.run_many(
            python, preloaded_runs, jobs or default_jobs(), TIMEOUT_SECONDS, run_env()
        )
    return [
        finished(step, app_dir, run.returncode, run.output, run.output, exitfirst)
        for (step, app_dir), run in zip(runs, done, strict=True)
    ]


def finished(
    step: Step, app_dir: Path, returncode: int, stdout: str, output: str, exitfirst: bool
) -> StepRun:
    """The StepRun of a run that ended with returncode, having printed stdout (and output in
    all, stderr included)."""
    summary = last_line(stdout)
    counts = parse_counts(summary)
    failing = counts.get("failed", 0) + counts.get("errors", 0)
    if returncode == 2 and failing and XDIST_EXITFIRST in stdout:
        # pytest-xdist ends an --exitfirst run that failed as "interrupted" (exit status 2):
        # a failure all the same, as without workers (1). That includes a run whose first
        # failing tests errored in their setup (step 12 on code without step 11's
        # migrations/): "2 errors", no "failed".
        returncode = 1
    return StepRun(step, app_dir, returncode, summary, output, counts, exitfirst)


def run_many(
    python: str | Path,
    runs: Sequence[tuple[Step, Path]],
    exitfirst: bool = False,
    jobs: int | None = None,
    skip: Callable[[Step, list[StepRun]], bool] | None = None,
    lead: bool = False,
) -> list[StepRun | None]:
    """Run each (step, app folder) pair, several at a time (jobs, default one per CPU),
    starting them in the order given; results in that order.

    skip(step, runs finished so far) is asked just before a run would start, and again for
    the runs still going each time one finishes: a run it leaves out is not started, or is
    stopped, and its result is None (never without skip).

    lead: the first run is the one waited for (`progress` starts from the highest step): it
    gets `jobs` pytest-xdist workers, and the others run at low priority (tools that only
    take the CPU time it leaves idle). Without lead, every run is one pytest process."""
    jobs = jobs or default_jobs()
    finished: list[StepRun] = []
    running: dict[int, tuple[Step, subprocess.Popen[str]]] = {}
    stopped: set[int] = set()
    lock = threading.Lock()

    def one(index: int, step: Step, app_dir: Path, scratch: Path) -> StepRun | None:
        with lock:
            if skip is not None and skip(step, list(finished)):
                return None

        def started(process: subprocess.Popen[str]) -> None:
            with lock:
                running[index] = (step, process)
                # A run may have passed between the skip above and this start.
                if skip is not None and skip(step, list(finished)):
                    stopped.add(index)
                    stop(process)

        first = lead and index == 0
        result = run_step(
            python,
            step,
            app_dir,
            scratch,
            exitfirst,
            workers=jobs if first and jobs > 1 else 0,
            low_priority=lead and not first,
            started=started,
        )
        with lock:
            running.pop(index, None)
            if index in stopped:
                return None
            finished.append(result)
            if skip is not None:
                for other, (other_step, process) in list(running.items()):
                    if skip(other_step, list(finished)):
                        stopped.add(other)
                        stop(process)
        return result

    with (
        tempfile.TemporaryDirectory(
            prefix="workshop-steps-", dir=memory_temp_dir(), ignore_cleanup_errors=True
        ) as scratch,
        ThreadPoolExecutor(max_workers=jobs) as pool,
    ):
        futures = [
            pool.submit(one, index, step, app_dir, Path(scratch))
            for index, (step, app_dir) in enumerate(runs)
        ]
        return [future.result() for future in futures]
