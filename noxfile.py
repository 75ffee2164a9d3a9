"""Every check of the workshop: `uv run nox -l` lists the sessions, `uv run nox` runs them.

- `uv run nox -s step-05`              step 05's tests against the reference code in steps/
- `uv run nox -s step-05 -- workspace` the same tests against your code in workspace/
- `uv run nox -s start -- 05`          workspace/ = step 04's code (the old one is backed up)
- `uv run nox -s progress`             which steps workspace/ passes, and the step you are on
- `uv run nox -s diff -- workspace 05` how your code differs from step 05's reference
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import NoReturn

import nox

sys.path.insert(0, str(Path(__file__).parent))
from tools import diffing, planted_bugs, step_tests
from tools import fuzz as fuzz_gate
from tools import progress as learner_progress
from tools import workspace as learner_workspace
from tools.steps import (
    FIRST_STEP_WITH_MIGRATIONS,
    PURE_REFACTORS,
    STEPS_DIR,
    Step,
    UserError,
    all_steps,
    starting_point,
)

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.error_on_missing_interpreters = True

# Sessions run on the interpreter that runs nox: the one uv chose for the project's .venv
# (any Python that pyproject.toml's requires-python allows; `uv run --python 3.13 nox` picks
# one). Nothing is ever downloaded, not even for `--force-python 3.13`.
PYTHON = None


def install(session: nox.Session, *groups: str) -> None:
    """Sync the session's virtualenv with uv.lock: exactly the locked versions, nothing more."""
    args = [arg for group in groups for arg in ("--group", group)]
    if session.python is None:
        # nox reuses a session's virtualenv as it is: after `uv run --python 3.13 nox`, uv
        # rebuilds one made by another Python, so the session runs on the Python nox runs on.
        args += ["--python", sys.executable]
    session.run_install(
        "uv",
        "sync",
        # Errors only: a session's first run would list every package installed (about 90
        # lines above a learner's results)
        "--quiet",
        "--locked",
        "--no-default-groups",
        *args,
        env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location},
        external=True,
    )


def learner_dir(session: nox.Session, given: str, number: str = "01") -> Path:
    """The folder the learner named, relative to where they ran the command."""
    path = (Path(session.invoked_from) / given).resolve()
    main = path / "app" / "main.py"
    if not main.is_file():
        session.error(
            f"Nothing to check at {given!r}: expected a folder holding app/main.py "
            f"(looked for {main}). Start the step with `uv run nox -s start -- {number}`, "
            f"then check it with `uv run nox -s step-{number} -- workspace`"
        )
    return path


def make_step_session(step: Step) -> None:
    def check_step(session: nox.Session) -> None:
        install(session, "test")
        # Several worker processes, bytecode cached under a temp folder (tools/step_tests.py).
        pytest_args = ["pytest", "tests/steps", "--step", step.number, *step_tests.XDIST_ARGS]
        folder, shown = step.path, step.path.relative_to(Path(__file__).parent).as_posix()
        if session.posargs:
            given, *extra = session.posargs
            folder, shown = learner_dir(session, given, step.number), given.rstrip("/\\")
            # One word, "--app-dir=PATH": pytest reads a separate PATH as a test folder before
            # the harness declares --app-dir, and loads PATH/tests/conftest.py (from step 09).
            pytest_args += [f"--app-dir={folder}", *step_tests.LEARNER_ARGS, *extra]
        # From step 09 the learner writes tests/: without them, say so before anything runs.
        missing = planted_bugs.missing_suite(step, folder, shown)
        if missing:
            abort(session, missing)
        # Bytecode cached; the tests' databases in memory where they can be (step_tests.py)
        env = step_tests.speed_env()
        session.run(*pytest_args, env=env)
        if int(step.number) >= FIRST_STEP_WITH_MIGRATIONS:
            # The same tests on PostgreSQL: skipped, saying how to start one, if none answers
            # at 127.0.0.1:5432 (WORKSHOP_POSTGRES_URL); with CI=true, that fails instead.
            session.log("The same tests on PostgreSQL (--database postgresql)")
            session.run(*pytest_args, "--database", "postgresql", env=env)
        if planted_bugs.has_suite(step.path):
            check_own_tests(session, step, folder, shown)

    check_step.__doc__ = (
        f"Check step {step.number} ({step.slug}) on the reference code, or on yours: -- PATH."
    )
    nox.session(name=step.session, python=PYTHON, download_python="never", tags=["steps"])(
        check_step
    )


# Set by .ci/run for its second pass (Python 3.13): the reference app's planted bugs are not
# graded again. A learner's folder is always graded.
SKIP_PLANTED_BUGS_ENV = "WORKSHOP_SKIP_PLANTED_BUGS"


def check_own_tests(session: nox.Session, step: Step, folder: Path, shown: str) -> None:
    """From step 09 on, a step's folder holds its own tests/: they must pass on its app, and
    fail on each planted-bug copy of the reference app (tools/planted_bugs.py)."""
    session.log(f"The tests in {shown}/tests/ on the app in {shown}/app/: they must pass.")
    own = planted_bugs.run_own_suite(venv_python(session), folder)
    write_out(own.output.rstrip())
    if own.outcome != "pass":
        write_out(planted_bugs.own_suite_failed(own, shown))
        session.error(f"Your tests fail on the app in {shown}/ ({own.summary})")
    bugs = planted_bugs.bugs_for(step)
    if folder == step.path and os.environ.get(SKIP_PLANTED_BUGS_ENV):
        # .ci/run's second Python: the reference tests and the planted bugs are the same on
        # every Python, and the first pass graded them.
        session.log(
            f"NOT RUN: the {len(bugs)} planted bugs on the reference app "
            f"({SKIP_PLANTED_BUGS_ENV} is set; .ci/run grades them on its first Python)."
        )
        return
    session.log(f"The same tests on {len(bugs)} copies of the reference app, a bug in each…")
    # pytest's cache of each bug's last run, kept with the session (one folder per suite
    # graded): the next run tries first the test that caught the bug, and stops there.
    key = hashlib.sha256(str(folder).encode()).hexdigest()[:12]
    cache_dir = Path(session.create_tmp()).resolve() / "planted-bugs-cache" / key
    try:
        runs = planted_bugs.grade(
            venv_python(session),
            folder,
            step.path,
            bugs,
            baseline=folder != step.path,
            cache_dir=cache_dir,
        )
    except planted_bugs.BugDoesNotApply as exc:
        abort(session, f"Planted bugs that no longer apply to {step.name}:\n{exc}")
    text, failures = planted_bugs.report(runs, shown, step.path)
    write_out(text)
    if failures:
        session.error("; ".join(failures))


for _step in all_steps():
    make_step_session(_step)


def venv_python(session: nox.Session) -> Path:
    """The Python of the session's virtualenv (bin/python, or Scripts\\python.exe on Windows)."""
    name = "python.exe" if sys.platform == "win32" else "python"
    return Path(session.bin) / name


# The consistency tests (tests/repo) check `nox -s NAME` commands in the docs against this list.
SESSIONS_ENV = "WORKSHOP_NOX_SESSIONS"


@nox.session(python=PYTHON, download_python="never")
def consistency(session: nox.Session) -> None:
    """Check the repo: steps, pages, includes, commands and paths in docs, each step's tests."""
    # docs: tests/repo/test_docs_build.py builds the site and reads the step pages' HTML.
    install(session, "test", "docs")
    # 1. Each step's tests fail on the previous step's code: a learner's starting point must
    #    not already pass. All steps at once, each in its own pytest process, each stopping at
    #    its first failing test (one is enough to show it), each forked from one process that
    #    imported the libraries (where it can: not on Windows). A step with its own tests/ (09)
    #    on code without them fails its check before any test runs, as for a learner: known
    #    without running (its tests, the API of 08, would run in full and pass).
    failures = []
    steps = all_steps()
    pairs = [(step, starting_point(step)) for step in steps]
    missing = {
        step: planted_bugs.missing_suite(step, before, "workspace") for step, before in pairs
    }
    to_run = [(step, before) for step, before in pairs if missing[step] is None]
    done = step_tests.run_preloaded(venv_python(session), to_run, exitfirst=True)
    runs = dict(zip(to_run, done, strict=True))
    for step, before_dir in pairs:
        number, before = step.number, before_dir.name
        if missing[step]:
            session.log(
                f"step {number}'s check fails on {before}'s code, as it must: {missing[step]}"
            )
            continue
        run = runs[step, before_dir]
        if run.outcome == "error":
            session.log(f"step {number}'s tests could not run on {before}'s code: {run.summary}")
            session.log(run.output.strip()[-3000:])
            failures.append(f"step {number}'s tests could not run")
        elif run.outcome == "fail":
            session.log(
                f"step {number}'s tests fail on {before}'s code, as they must: "
                f"{run.first_failure or run.summary}"
            )
        elif number in PURE_REFACTORS:
            session.log(
                f"step {number}'s tests pass on {before}'s code: allowed, step {number} is "
                f"declared a pure refactor in tools/steps.py (PURE_REFACTORS). ({run.summary})"
            )
        else:
            session.log(
                f"step {number}'s tests pass on {before}'s code: a learner's starting point "
                f"would already pass. Add a test for what step {number} adds (or, if the step "
                f"only restructures, declare it in PURE_REFACTORS in tools/steps.py). "
                f"({run.summary})"
            )
            failures.append(f"step {number}'s tests pass on {before}'s code")
    # 2. The repo checks and the troubleshooting examples, as tests (tests/repo/). The
    #    `nox -s NAME` commands written in the docs are checked against the real sessions.
    sessions = json.dumps(sorted(nox.registry.get()))
    # Four workers even on two cores: these tests mostly wait for the processes they start
    # (servers, nox, pytest). --dist loadfile keeps each file on one worker: one docs build,
    # one server per step (their fixtures are session-scoped). Not loadgroup: pytest-xdist
    # 3.8 on pytest 9.2 silently ignores xdist_group (pytest-xdist issue 1386).
    session.run(
        *("pytest", "tests/repo", "-p", "no:cacheprovider", "-n", "4", "--dist", "loadfile"),
        *session.posargs,
        env={SESSIONS_ENV: sessions},
    )
    if failures:
        session.error("; ".join(failures))


@nox.session(python=PYTHON, download_python="never")
def fuzz(session: nox.Session) -> None:
    """Fuzz each step's API against its OpenAPI document (schemathesis): -- [NN ...] [--deep]."""
    install(session, "fuzz")
    log_dir = Path(session.create_tmp()).resolve() / "fuzz-logs"
    try:
        failed = fuzz_gate.main(
            session.posargs, Path(session.bin), log_dir, Path(session.invoked_from)
        )
    except LookupError as exc:
        abort(session, str(exc))
    if failed:
        session.error("The fuzz gate found failures (see above)")


# -- the learner's helpers: not in the default run (they check nothing) ----------------------


def abort(session: nox.Session, message: str) -> NoReturn:
    """Stop with a message in plain words, no traceback. nox adds its own full stop, so a
    message of several lines (a list of steps) is printed whole, and its first line ends it."""
    first, _, rest = message.partition("\n")
    if rest:
        sys.stderr.write(message + "\n")
    session.error(first.rstrip("."))


@nox.session(python=False, default=False)
def start(session: nox.Session) -> None:
    """Start step NN in workspace/ from the previous step's code (old one backed up): -- NN."""
    if len(session.posargs) > 1:
        abort(session, f"Give one step, e.g. `uv run nox -s start -- 03` (got {session.posargs})")
    try:
        started = learner_workspace.start_step(session.posargs[0] if session.posargs else "")
    except UserError as exc:
        abort(session, str(exc))
    write_out(learner_workspace.describe(started))


@nox.session(python=False, default=False)
def diff(session: nox.Session) -> None:
    """Show how two steps differ, or a folder and a step: -- 04 05, or -- workspace 05."""
    if len(session.posargs) != 2:
        abort(
            session,
            "Give two steps, or a folder and a step: `uv run nox -s diff -- 04 05` or "
            "`uv run nox -s diff -- workspace 05`",
        )
    base = Path(session.invoked_from)
    try:
        old, new = (diffing.resolve_side(given, base) for given in session.posargs)
    except UserError as exc:
        abort(session, str(exc))
    changes = diffing.diff_trees(old, new)
    write_out(diffing.render_diff_text(old, new, changes, color=diffing.wants_color()))


@nox.session(python=PYTHON, download_python="never", default=False)
def progress(session: nox.Session) -> None:
    """Show which steps your code passes and the step you are on: -- [PATH] (default workspace)."""
    if len(session.posargs) > 1:
        abort(session, "Give one folder, e.g. `uv run nox -s progress -- workspace`")
    given = session.posargs[0] if session.posargs else "workspace"
    app_dir = learner_dir(session, given)
    install(session, "test")
    session.log(f"Running every step's tests against {given}, several steps at a time…")
    runs = learner_progress.check_progress(venv_python(session), app_dir)
    write_out(learner_progress.report(runs, app_dir))
    if any(run.outcome == "error" for run in runs):
        session.error("Some steps' tests could not run at all (see above)")


@nox.session(python=False, default=False)
def bench(session: nox.Session) -> None:
    """Time the checks, as a table: -- --against REF (compare), --full (see benchmarks/loop.py)."""
    session.run(sys.executable, "benchmarks/loop.py", *session.posargs, external=True)


def write_out(text: str) -> None:
    """Print, replacing what the terminal's encoding can't show (old Windows consoles)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    sys.stdout.write(text.encode(encoding, errors="replace").decode(encoding) + "\n")
    sys.stdout.flush()


@nox.session(python=PYTHON, download_python="never")
def lint(session: nox.Session) -> None:
    """Lint and format check with ruff; the GitHub workflows with actionlint and their schema."""
    install(session, "lint")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    # The workflows can't run here: check them statically (actionlint finds its own files).
    workflows = sorted(str(path) for path in Path(".github/workflows").glob("*.yml"))
    session.run("actionlint", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)


@nox.session(name="deploy-lint", python=PYTHON, download_python="never")
def deploy_lint(session: nox.Session) -> None:
    """Lint the steps' Dockerfiles (hadolint) and validate their compose.yaml (Compose schema)."""
    install(session, "deploy")
    # No Docker daemon is needed: the files are read, not built or run.
    dockerfiles = sorted(str(path) for path in STEPS_DIR.glob("*/Dockerfile"))
    compose_files = sorted(str(path) for path in STEPS_DIR.glob("*/compose.yaml"))
    session.run("hadolint", *dockerfiles)
    session.run("check-jsonschema", "--builtin-schema", "vendor.compose-spec", *compose_files)
    # What the workshop promises beyond both (non-root, /health, uv sync --locked, workers…).
    session.run("python", "-m", "tools.deploy_checks", *dockerfiles, *compose_files)
    # Each of those checks fails on the defect it exists for, planted in a copy.
    session.run("pytest", "tests/deploy", "-p", "no:cacheprovider")


@nox.session(python=PYTHON, download_python="never")
def browser(session: nox.Session) -> None:
    """In Chromium, offline: /docs logs in (07+); the docs' diagrams draw; no code scrolls."""
    # mkdocs (the docs group) builds the site whose diagrams and code widths are checked.
    install(session, "browser", "docs")
    # Debian's `chromium`, driven by Playwright (its own browser download is not used). Another
    # Chromium or Chrome: -- --chromium PATH. New screenshots for the docs: -- --screenshots
    # docs/images.
    args = list(session.posargs)
    if "--chromium" not in args:
        chromium = shutil.which("chromium")
        if chromium is None:
            session.error(
                "Chromium is missing: install it with `apt-get install chromium` (Debian, Ubuntu), "
                "or name a Chromium or Chrome with `uv run nox -s browser -- --chromium PATH`"
            )
        args = ["--chromium", chromium, *args]
    session.run("pytest", "tests/browser", "-p", "no:cacheprovider", *args)


@nox.session(python=PYTHON, download_python="never")
def docs(session: nox.Session) -> None:
    """Build the docs strictly (add -- serve to preview them at http://127.0.0.1:8001)."""
    install(session, "docs")
    # mkdocs-material 9.8 prints an end-of-life notice (May 2027; successor: Zensical) on every
    # build. Known and noted in the instructor guide; keep the build output readable.
    session.env["NO_MKDOCS_2_WARNING"] = "1"
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:])
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs)
