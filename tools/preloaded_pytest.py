"""Run pytest many times, each run in a new process that starts with the libraries imported.

Grading a suite on planted bugs (tools/planted_bugs.py) runs `pytest tests` once per bug: 13
to 25 runs per step, each in a folder of its own. A fresh `python -m pytest` spends about 0.9 s
importing pytest, FastAPI, Pydantic, SQLModel, httpx… before the first test, and a run that
catches its bug at the first test (pytest's --failed-first) takes about 0.5 s more. Here one
process imports those libraries once, and every run is a child forked from it: Python's own
fork server (multiprocessing's "forkserver" start method with set_forkserver_preload), so each
run still has a process of its own, with nothing left behind by the runs before it.

It exists where the forkserver start method does (Linux, macOS); elsewhere (Windows) use one
`python -m pytest` per run: `available()` says which.

Two callers, two processes:
- run_many(python, runs, …), in nox's own process (standard library only), starts `python -P
  tools/preloaded_pytest.py` with the Python whose environment has pytest and the libraries;
- that process (main below) preloads, forks one child per run, and writes the results.

What a run sees differs from a fresh `python -P -m pytest ARGS` started in its folder in two
ways only: the libraries of PRELOAD were imported before pytest started (so their import-time
warnings are not seen again), and pytest's warning "Module already imported so cannot be
rewritten" about them is ignored (the pytest plugins anyio and xdist come with those
libraries; their own asserts are not rewritten, which changes no test's outcome).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path

# Imported once, in the fork server, before any run. A name that is not installed is skipped
# (the fork server ignores ImportError): the same list serves steps 09 to 12.
PRELOAD = (
    "pytest",
    "xdist.plugin",
    "anyio.pytest_plugin",
    "httpx",
    "asgi_lifespan",
    "fastapi",
    "fastapi.security",
    "fastapi_offline",
    "starlette.middleware.cors",
    "pydantic",
    "pydantic_settings",
    "email_validator",
    "sqlmodel",
    "sqlalchemy.ext.asyncio",
    "aiosqlite",
    "asyncpg",
    "jose.jwt",
    "passlib.context",
    "bcrypt",
    "jwt",
    "pwdlib",
    "argon2",
)
# Given to every run (see the module's docstring): on the command line, it wins over a
# suite's own `filterwarnings = ["error"]`.
IGNORE_ALREADY_IMPORTED = (
    "-W",
    "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning",
)
START_METHOD = "forkserver"


@dataclass(frozen=True)
class Run:
    """One pytest run: `pytest *args` in `folder`."""

    folder: Path
    args: tuple[str, ...]


@dataclass(frozen=True)
class Completed:
    """How a run ended: pytest's exit status (-1: stopped after the timeout), and everything
    it printed (stdout and stderr together)."""

    returncode: int
    output: str


def available() -> bool:
    """Whether this platform can fork runs from a preloaded process (not on Windows)."""
    return START_METHOD in multiprocessing.get_all_start_methods()


def run_many(
    python: str | Path,
    runs: Sequence[Run],
    jobs: int,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> list[Completed]:
    """Run each of `runs` with the pytest of `python`, `jobs` at a time; results in the order
    of `runs`.

    In: the Python of an environment with pytest (and the libraries to preload, those that it
    has); timeout, in seconds, for each run from its start (a run still going then is killed,
    and its Completed has returncode -1 and says so); env, the environment of every run
    (default: this process's). Out: one Completed per run. Raises RuntimeError if the runner
    itself fails (not for a failing run), and OSError if `python` can't be started.
    """
    with tempfile.TemporaryDirectory(prefix="preloaded-pytest-") as tmp:
        request, answer = Path(tmp) / "runs.json", Path(tmp) / "results.json"
        request.write_text(
            json.dumps(
                {
                    "runs": [[str(run.folder), list(run.args)] for run in runs],
                    "jobs": jobs,
                    "timeout": timeout,
                    "logs": tmp,
                }
            ),
            encoding="utf-8",
        )
        # -P: the runner's folder (tools/) is not put on sys.path, and so neither is it in
        # the runs, as with `python -P -m pytest`.
        done = subprocess.run(
            [str(python), "-P", __file__, str(request), str(answer)],
            env=None if env is None else dict(env),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            check=False,
        )
        if done.returncode != 0 or not answer.is_file():
            raise RuntimeError(
                f"the pytest runner ({python} -P {__file__}) failed, exit {done.returncode}:\n"
                f"{(done.stdout + done.stderr)[-3000:]}"
            )
        results = json.loads(answer.read_text(encoding="utf-8"))
    return [Completed(code, output) for code, output in results]


# -- the runner's own process: the Python of the environment under test ---------------------


def run_pytest(folder: str, args: list[str], log: str) -> None:
    """In a forked child: `pytest *args` in folder, everything printed going to log; exits
    with pytest's exit status."""
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)
    os.chdir(folder)
    import pytest

    sys.exit(int(pytest.main([*args, *IGNORE_ALREADY_IMPORTED])))


def main(request: Path, answer: Path) -> None:
    job = json.loads(request.read_text(encoding="utf-8"))
    runs = [(folder, args) for folder, args in job["runs"]]
    jobs, timeout, logs = max(1, job["jobs"]), job["timeout"], Path(job["logs"])
    context = multiprocessing.get_context(START_METHOD)
    context.set_forkserver_preload(list(PRELOAD))
    results: list[list] = [[None, ""] for _ in runs]
    waiting = list(enumerate(runs))
    running: dict[int, tuple[int, object, float]] = {}  # sentinel: (index, process, deadline)
    while waiting or running:
        while waiting and len(running) < jobs:
            index, (folder, args) = waiting.pop(0)
            log = logs / f"run-{index}.log"
            process = context.Process(target=run_pytest, args=(folder, args, str(log)))
            process.start()
            running[process.sentinel] = (index, process, time.monotonic() + timeout)
        next_deadline = min(deadline for _, _, deadline in running.values())
        wait(list(running), timeout=max(0.0, next_deadline - time.monotonic()))
        for sentinel, (index, process, deadline) in list(running.items()):
            if process.exitcode is None and time.monotonic() < deadline:
                continue
            del running[sentinel]
            output = ""
            log = logs / f"run-{index}.log"
            if process.exitcode is None:
                process.kill()
                process.join()
                output = f"stopped after {timeout:g} s: does a test wait for something forever?\n"
                code = -1
            else:
                code = process.exitcode
            if log.is_file():
                output = log.read_text(encoding="utf-8", errors="replace") + output
            results[index] = [code, output]
    answer.write_text(json.dumps(results), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
