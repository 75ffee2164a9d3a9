"""Planted bugs: grade a test suite by the bugs it catches, not by the lines it runs.

From step 09 on, a step holds its own test suite in `tests/` beside `app/`. Checking the step
runs that suite on the app (it must pass), then on copies of the step's reference app with one
deliberate bug planted in each (it must fail on every one). A bug the suite doesn't notice is
MISSED: some behaviour the API promises is not checked by any test.

Each bug is a small textual change to the reference code: an exact snippet, short and
distinctive (`if item.owner_id != user.id:`), and what replaces it. The copies are made when the
check runs, from the code as it is then, so the bugs follow the code. When a snippet is no longer
found exactly once (the code changed under it), making the copy raises BugDoesNotApply, naming
the bug, the file and the snippet: the check fails loudly and never counts a bug that was not
planted. `nox -s consistency` checks that every bug applies to every step with tests/.

A suite runs in a copy of its folder (the learner's workspace/ or the step's folder) whose
app/ is replaced by the planted-bug copy of the reference app: the tests, their conftest.py and
pytest configuration are the learner's own, run as `pytest tests` from that folder.

Standard library only: nox's own process imports it.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tools import preloaded_pytest
from tools.diffing import IGNORED_DIRS, is_ignored_file
from tools.step_tests import (
    TIMEOUT_SECONDS,
    default_jobs,
    last_line,
    memory_temp_dir,
    run_env,
)
from tools.steps import Step

SUITE_DIR = "tests"  # where a step's own suite lives, beside app/


@dataclass(frozen=True)
class Change:
    """Replace `old`, which must occur exactly once in `path`, by `new`."""

    path: str  # relative to the step's folder, with forward slashes: "app/auth/service.py"
    old: str
    new: str


@dataclass(frozen=True)
class Bug:
    """One planted bug: a name for the table, what a learner's test would notice, the change."""

    name: str  # short, unique: "any-password"
    description: str  # in plain words: "any password logs in"
    changes: tuple[Change, ...]
    # The steps whose reference code it applies to, as the step tests' markers write them:
    # "09+" (09 and every later step), "09-11". A later step that changes the code under a
    # bug narrows its range and adds a bug of its own for the new code.
    steps: str = "09+"

    def applies_to(self, step: Step) -> bool:
        """Whether this bug is planted in the given step's reference code."""
        return range_matches(self.steps, int(step.number))


def range_matches(spec: str, number: int) -> bool:
    """ "09" is step 9 only, "09-11" steps 9 to 11, "09+" step 9 and every later one."""
    if spec.endswith("+"):
        return number >= int(spec[:-1])
    first, _, last = spec.partition("-")
    return int(first) <= number <= int(last or first)


# Steps 10-12's CORS middleware, added after catch_errors so that it wraps it
CORS_MIDDLEWARE = """app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)
"""

BUGS: tuple[Bug, ...] = (
    Bug(
        "any-password",
        "any password logs in",
        (
            Change(
                "app/auth/service.py",
                "return pwd_context.verify(\n"
                "            bcrypt_can_hash(password), hashed_password\n"
                "        )",
                "return True",
            ),
        ),
        steps="09-11",  # step 12 verifies with pwdlib: "any-password-pwdlib"
    ),
    Bug(
        "patch-any-item",
        "PATCH doesn't check the owner",
        (
            Change(
                "app/items/router.py",
                "item: OwnItemDep, item_in: ItemUpdate",
                "_: CurrentUser, item: ItemDep, item_in: ItemUpdate",
            ),
        ),
    ),
    Bug(
        "delete-any-item",
        "DELETE doesn't check the owner",
        (
            Change(
                "app/items/router.py",
                "delete_item(item: OwnItemDep",
                "delete_item(_: CurrentUser, item: ItemDep",
            ),
        ),
    ),
    Bug(
        "update-overwrites",
        "a partial update overwrites unsent fields",
        (Change("app/items/service.py", "model_dump(exclude_unset=True)", "model_dump()"),),
    ),
    Bug(
        "expired-token",
        "expired tokens are accepted",
        (
            # Not `"verify_exp": False` alone: python-jose checks a required claim anyway.
            Change(
                "app/auth/service.py",
                '"require_exp": True',
                '"require_exp": False, "verify_exp": False',
            ),
        ),
        steps="09-11",  # step 12 decodes with PyJWT: "expired-token-pyjwt"
    ),
    Bug(
        "duplicate-email",
        "a duplicate email is accepted",
        (Change("app/auth/models.py", "Field(unique=True, index=True)", "Field(index=True)"),),
    ),
    Bug(
        "hash-in-response",
        "registration returns the password hash",
        (
            Change(
                "app/auth/schemas.py",
                "class UserPublic(SQLModel):",
                "class UserPublic(SQLModel):\n    hashed_password: str",
            ),
        ),
    ),
    Bug(
        "list-by-name",
        "the list is ordered by name, not id",
        (Change("app/items/service.py", "order_by(Item.id)", "order_by(Item.name)"),),
    ),
    Bug(
        "any-signature",
        "tokens signed with any key are accepted",
        (
            Change(
                "app/auth/service.py",
                '"require_sub": True',
                '"require_sub": True, "verify_signature": False',
            ),
        ),
        steps="09-11",  # step 12 decodes with PyJWT: "any-signature-pyjwt"
    ),
    Bug(
        "plain-password",
        "the password is stored unhashed",
        (
            Change(
                "app/auth/service.py",
                "hashed_password=hash_password(user_in.password)",
                "hashed_password=user_in.password",
            ),
        ),
        steps="09",
    ),
    # From step 10 the hash is made in a worker thread: the same bug, in the new line.
    Bug(
        "plain-password-threaded",
        "the password is stored unhashed",
        (
            Change(
                "app/auth/service.py",
                "run_in_threadpool(\n        hash_password, user_in.password\n    )",
                "run_in_threadpool(str, user_in.password)",
            ),
        ),
        steps="10+",
    ),
    Bug(
        "404-before-401",
        "a missing item is 404 before the token's 401",
        (
            Change(
                "app/items/router.py",
                "user: CurrentUser, item: ItemDep",
                "item: ItemDep, user: CurrentUser",
            ),
        ),
    ),
    Bug(
        "free-items",
        "an item with price 0 is accepted",
        (Change("app/items/models.py", "Field(gt=0)", "Field(ge=0)"),),
    ),
    Bug(
        "delete-keeps-item",
        "DELETE answers 204 but keeps the item",
        (
            Change(
                "app/items/service.py",
                "await session.commit()\n    if result.rowcount == 0:",
                "await session.rollback()\n    if result.rowcount == 0:",
            ),
        ),
    ),  # -- step 10: production-ready --------------------------------------------------------
    Bug(
        "health-without-query",
        "/health says ok without asking the database",
        (Change("app/main.py", "await session.exec(select(1))", "pass"),),
        steps="10",
    ),
    Bug(
        "health-without-table",
        "/health says ok without asking the database",
        (Change("app/main.py", "await session.exec(select(Item.id).limit(1))", "pass"),),
        steps="11+",
    ),
    Bug(
        "cors-any-origin",
        "CORS lets every origin in",
        (
            Change(
                "app/main.py",
                "allow_origins=settings.cors_origins",
                'allow_origins=["*"]',
            ),
        ),
        steps="10+",
    ),
    Bug(
        "cors-inside-catch-errors",
        "a 500 lacks the CORS headers (CORS added before catch_errors, inside it)",
        (
            Change("app/main.py", CORS_MIDDLEWARE, ""),
            Change(
                "app/main.py",
                '@app.middleware("http")\nasync def catch_errors',
                CORS_MIDDLEWARE + '\n\n@app.middleware("http")\nasync def catch_errors',
            ),
        ),
        steps="10+",
    ),
    Bug(
        "any-origin-setting",
        'CORS_ORIGINS=["*"] is accepted',
        (Change("app/config.py", 'if origin == "*":', "if False:"),),
        steps="10+",
    ),
    Bug(
        "error-details",
        "a 500 shows the error to the client",
        (
            Change(
                "app/main.py",
                "    except Exception:\n        # The traceback",
                "    except Exception as exc:\n        # The traceback",
            ),
            Change(
                "app/main.py",
                'content={"detail": "Internal server error"}',
                'content={"detail": repr(exc)}',
            ),
        ),
        steps="10+",
    ),
    Bug(
        "error-not-logged",
        "a 500 leaves no traceback in the log",
        (
            Change(
                "app/main.py",
                'logger.exception("Unhandled error in',
                'logger.info("Unhandled error in',
            ),
        ),
        steps="10+",
    ),
    Bug(
        "hash-on-event-loop",
        "login checks the password on the event loop",
        (
            Change(
                "app/auth/service.py",
                "await run_in_threadpool(\n"
                "        verify_password, password, hashed_password\n"
                "    )",
                "verify_password(password, hashed_password)",
            ),
        ),
        steps="10+",
    ),
    Bug(
        "no-dummy-hash",
        "an unknown email is refused without hashing (its 401 comes faster)",
        (
            Change(
                "app/auth/service.py",
                "hashed_password = user.hashed_password if user else DUMMY_HASH",
                "if user is None:\n        return None\n    hashed_password = user.hashed_password",
            ),
        ),
        steps="10+",
    ),
    Bug(
        "token-lifetime-unchecked",
        "ACCESS_TOKEN_EXPIRE_MINUTES=0 is accepted",
        (Change("app/config.py", "Field(ge=1, le=60 * 24 * 365)", "Field()"),),
        steps="10+",
    ),
    # Step 12: pwdlib and PyJWT. The same mistakes in the new code, and the upgrade's own.
    Bug(
        "any-password-pwdlib",
        "any password logs in",
        (
            Change(
                "app/auth/service.py",
                "password_hash.verify_and_update(\n"
                "            bcrypt_can_hash(password), hashed_password\n"
                "        )",
                "(True, None)",
            ),
        ),
        steps="12+",
    ),
    Bug(
        "expired-token-pyjwt",
        "expired tokens are accepted",
        (
            Change(
                "app/auth/service.py",
                'options={"require": ["exp", "iat", "sub"]}',
                'options={"require": ["exp", "iat", "sub"], "verify_exp": False}',
            ),
        ),
        steps="12+",
    ),
    Bug(
        "any-signature-pyjwt",
        "tokens signed with any key are accepted",
        (
            Change(
                "app/auth/service.py",
                'options={"require": ["exp", "iat", "sub"]}',
                # PyJWT stops checking exp too without a signature check, unless told.
                'options={"require": ["exp", "iat", "sub"], "verify_signature": False, '
                '"verify_exp": True}',
            ),
        ),
        steps="12+",
    ),
    Bug(
        "new-hashes-bcrypt",
        "new passwords are still hashed with bcrypt",
        (
            Change(
                "app/auth/service.py",
                "password_hash = PasswordHash(\n    (\n",
                # rounds=4, the cost the tests' BCRYPT_ROUNDS sets in 06-11: at
                # bcrypt's default of 12, each of the suite's registrations
                # would take a quarter of a second (about a minute in all).
                "password_hash = PasswordHash(\n    (\n        BcryptHasher(rounds=4),\n",
            ),
        ),
        steps="12+",
    ),
    Bug(
        "bcrypt-forgotten",
        "users with an old bcrypt hash can no longer log in",
        (Change("app/auth/service.py", "        BcryptHasher(),\n", ""),),
        steps="12+",
    ),
    Bug(
        "no-upgrade",
        "an old bcrypt hash is never upgraded at login",
        (Change("app/auth/service.py", "if new_hash is not None:", "if False:"),),
        steps="12+",
    ),
    Bug(
        "failed-login-rehashes",
        "a failed login replaces the stored hash",
        (
            Change(
                "app/auth/service.py",
                "    if user is None or not valid:\n",
                "    if user is not None and not valid:\n"
                "        user.hashed_password = hash_password(password)\n"
                "        await session.commit()\n"
                "    if user is None or not valid:\n",
            ),
        ),
        steps="12+",
    ),
)


class BugDoesNotApply(Exception):
    """A planted bug's snippet is not found exactly once: the code changed under it."""


def bugs_for(step: Step, bugs: Iterable[Bug] = BUGS) -> list[Bug]:
    """The bugs planted in `step`'s reference code (those whose `steps` range includes it)."""
    return [bug for bug in bugs if bug.applies_to(step)]


def has_suite(folder: Path) -> bool:
    """Whether a step's folder (or a learner's) holds its own test suite, tests/."""
    return (folder / SUITE_DIR).is_dir()


def missing_suite(step: Step, folder: Path, shown: str) -> str | None:
    """Why `folder` can't pass `step`'s check for want of tests/, or None if it has them.

    `shown` is how to name the folder to the learner ("workspace").
    """
    if not has_suite(step.path) or has_suite(folder):
        return None
    return (
        f"Step {step.number} checks your tests, and {shown}/ has none: write "
        f"{shown}/tests/ (conftest.py and test_*.py files), as docs/steps/{step.name}.md "
        "teaches. They must pass on your app and fail on each planted bug."
    )


# -- making the copies ----------------------------------------------------------------------


def _ignore(directory: str, names: Iterable[str]) -> set[str]:
    """For shutil.copytree: leave out caches, databases and .env, as `start` does."""
    return {name for name in names if name in IGNORED_DIRS or is_ignored_file(name)}


def apply_change(text: str, change: Change, bug: Bug) -> str:
    """`text` with the change made; raises BugDoesNotApply unless `old` occurs exactly once."""
    count = text.count(change.old)
    if count != 1:
        found = "is not found" if count == 0 else f"is found {count} times"
        raise BugDoesNotApply(
            f"planted bug {bug.name!r} ({bug.description}) no longer applies: in "
            f"{change.path}, the snippet {change.old!r} {found} (it must be found exactly "
            "once). The code changed: update the bug in tools/planted_bugs.py to plant the "
            "same mistake in the new code."
        )
    return text.replace(change.old, change.new)


def planted_files(app_dir: Path, bug: Bug) -> dict[str, str]:
    """{relative path: new text} of the files `bug` changes in app_dir; raises BugDoesNotApply."""
    changed: dict[str, str] = {}
    for change in bug.changes:
        source = app_dir / change.path
        if change.path in changed:
            text = changed[change.path]
        elif source.is_file():
            text = source.read_text(encoding="utf-8")
        else:
            raise BugDoesNotApply(
                f"planted bug {bug.name!r} ({bug.description}) no longer applies: "
                f"{change.path} does not exist in {app_dir}."
            )
        changed[change.path] = apply_change(text, change, bug)
    return changed


def make_copy(app_dir: Path, bug: Bug | None, dest: Path) -> Path:
    """Copy the app of `app_dir` (its app/ folder) to dest/app, with `bug` planted.

    `app_dir` holds app/ (a step's folder). With bug None the copy is unchanged. Returns
    dest/app. Raises BugDoesNotApply (before copying anything) when a change's snippet is not
    found exactly once, or its file doesn't exist; FileExistsError if dest/app exists.
    """
    changed = planted_files(app_dir, bug) if bug else {}
    target = dest / "app"
    shutil.copytree(app_dir / "app", target, ignore=_ignore)
    for path, text in changed.items():
        (dest / path).write_text(text, encoding="utf-8")
    return target


def check_bugs_apply(app_dir: Path, bugs: Iterable[Bug]) -> list[str]:
    """One problem per bug that doesn't apply to the app in `app_dir`; [] when all do."""
    problems = []
    for bug in bugs:
        try:
            planted_files(app_dir, bug)
        except BugDoesNotApply as exc:
            problems.append(str(exc))
    return problems


def make_suite_copy(suite_dir: Path, app_dir: Path, bug: Bug | None, dest: Path) -> Path:
    """A copy of the folder `suite_dir` (its tests/, config, everything but app/) whose app/
    is app_dir's app with `bug` planted. Returns dest. Raises BugDoesNotApply as make_copy."""
    make_copy(app_dir, bug, dest)

    def ignore(directory: str, names: Iterable[str]) -> set[str]:
        left_out = _ignore(directory, names)
        if Path(directory) == suite_dir:
            left_out.add("app")
            left_out.update(name for name in names if name.startswith("workspace.backup-"))
        return left_out

    shutil.copytree(suite_dir, dest, ignore=ignore, dirs_exist_ok=True)
    return dest


# -- running a suite ------------------------------------------------------------------------

# pytest's short summary line of a failed test: "FAILED tests/test_x.py::test_y[a] - reason".
# A test's parameters may hold " - " too: the node id ends at the "]" that comes before " - ".
SUMMARY_LINE = re.compile(
    r"^(FAILED|ERROR) (?P<node>[^\s\[]+(?:\[.*?\](?= - |$))?)(?: - (?P<reason>.*))?$"
)


@dataclass(frozen=True)
class SuiteRun:
    """The suite's run on one copy: with a bug planted, or on the unchanged app (bug None)."""

    bug: Bug | None
    returncode: int
    summary: str  # pytest's closing line: "1 failed, 40 passed in 2.1s"
    output: str

    @property
    def outcome(self) -> str:
        """ "pass" (every test passed), "fail" (a test failed) or "error" (couldn't run)."""
        if self.returncode == 0:
            return "pass"
        if self.returncode == 1:
            return "fail"
        return "error"

    @property
    def first_failure(self) -> str | None:
        """The node id of the first failing test ("tests/test_login.py::test_x[y]")."""
        for line in self.output.splitlines():
            match = SUMMARY_LINE.match(line.strip())
            if match:
                return match["node"]
        return None


def suite_args(cache_dir: Path | None = None) -> list[str]:
    """pytest's arguments for a suite's run: tests/, stopping at the first failure, quiet.

    Without cache_dir, no pytest cache is left behind. With it, pytest keeps its cache there
    and runs the tests that failed last time first (`--ff`): a bug caught before is caught
    again by its first test, and the run stops there. The verdict is the same in any order
    (a bug is caught when any test fails; when none does, every test ran): only the time
    changes.
    """
    if cache_dir is None:
        cache = ("-p", "no:cacheprovider")
    else:
        cache = ("-o", f"cache_dir={cache_dir}", "--failed-first")
    return [SUITE_DIR, "-x", "-q", "--tb=no", "-rfE", "--no-header", *cache]


def suite_command(python: str | Path, cache_dir: Path | None = None) -> list[str]:
    """`python -P -m pytest` with suite_args(cache_dir).

    `-P`: the folder is not put on sys.path by Python; the suite's own pytest configuration
    (pythonpath) must do it, as when the learner runs `uv run pytest`.
    """
    return [str(python), "-P", "-m", "pytest", *suite_args(cache_dir)]


def run_suite(
    python: str | Path, folder: Path, bug: Bug | None, cache_dir: Path | None = None
) -> SuiteRun:
    """Run the suite in `folder` (made by make_suite_copy); never raises for a failure.

    cache_dir: pytest's cache for this suite and this bug (see suite_args), or None."""
    # Bytecode cached as for the step tests (run_env): where PYTHONDONTWRITEBYTECODE is set (CI
    # images), each run would otherwise compile FastAPI & co. afresh (about 0.6 s each).
    try:
        completed = subprocess.run(
            suite_command(python, cache_dir),
            cwd=folder,
            env=run_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"stopped after {TIMEOUT_SECONDS} s: does a test wait for something forever?"
        return SuiteRun(bug, -1, message, message)
    output = completed.stdout + completed.stderr
    return SuiteRun(bug, completed.returncode, last_line(completed.stdout), output)


# pytest's error when a test it runs without anyio asks for an async fixture
ASYNC_FIXTURE_ERROR = "requested an async fixture"


def run_own_suite(python: str | Path, folder: Path) -> SuiteRun:
    """Run the suite in `folder` on the app beside it, as `pytest tests` does there, up to
    its first failing test (one thing to fix, and none of the errors pytest then adds by
    itself: see own_suite_failed), with short tracebacks (the test's lines, not pytest's and
    httpx's frames); never raises for a failure.

    In: the Python of the test environment, the folder holding app/ and tests/. Out: the
    SuiteRun (bug None) with everything pytest printed, to show as it is."""
    command = [str(python), "-P", "-m", "pytest", SUITE_DIR, "-p", "no:cacheprovider"]
    try:
        completed = subprocess.run(
            [*command, "-x", "--tb=short"],
            cwd=folder,
            env=run_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        message = f"stopped after {TIMEOUT_SECONDS} s: does a test wait for something forever?"
        return SuiteRun(None, -1, message, message)
    return SuiteRun(None, completed.returncode, last_line(completed.stdout), completed.stdout)


def own_suite_failed(run: SuiteRun, shown: str) -> str:
    """What to say, after pytest's output, when a suite fails on its own app (run_own_suite):
    that it must pass there first, where to look, and the fix of a common mistake that
    pytest itself buries (an async fixture asked for by a test run without anyio)."""
    lines = [
        f"Your tests in {shown}/{SUITE_DIR}/ fail on your app in {shown}/app/: they must pass "
        "on it before they are tried on the planted bugs. The check stopped at the first "
        "failing test, above: the mistake is in that test or in the app (`uv run pytest` in "
        f"{shown}/ runs them all)."
    ]
    if ASYNC_FIXTURE_ERROR in run.output:
        lines.append(
            "Hint: a test that pytest runs without anyio (a `def test_...`, or a file without "
            "`pytestmark = pytest.mark.anyio`) asked for an async fixture. Make it `async "
            "def`, in a file with that marker. In a whole run, every later test that uses "
            "the same fixture then errors with a bare AssertionError inside pytest's "
            "fixtures.py (pytest issue 14800): not more mistakes, they go with this one."
        )
    return "\n".join(lines)


def grade(
    python: str | Path,
    suite_dir: Path,
    app_dir: Path,
    bugs: Sequence[Bug],
    baseline: bool = False,
    jobs: int | None = None,
    cache_dir: Path | None = None,
    preloaded: bool = True,
) -> list[SuiteRun]:
    """Run the suite of `suite_dir` on copies of `app_dir`'s app, one per bug, in parallel.

    With baseline, the first run is on the unchanged app (bug None): it must pass, or the
    suite tests something of its own app that the reference app doesn't have. With cache_dir,
    each bug's run keeps pytest's cache in its own folder under it (named after the bug), so
    that the next grading of the same suite tries first the test that caught the bug (see
    suite_args); the baseline runs in full either way. preloaded: where the platform can
    (Linux, macOS), each run is forked from one process that imported the libraries once
    (tools/preloaded_pytest.py), about 0.9 s less per run; False, or on Windows: a `python -P
    -m pytest` per run. Returns the runs in the order of `bugs` (the baseline first).
    Raises BugDoesNotApply, before running anything, if any bug doesn't apply (naming every
    one), and RuntimeError if the preloaded runner itself fails.
    """
    planted: list[Bug | None] = [None, *bugs] if baseline else list(bugs)
    workers = jobs or default_jobs()
    with tempfile.TemporaryDirectory(
        prefix="planted-bugs-", dir=memory_temp_dir(), ignore_cleanup_errors=True
    ) as tmp:
        problems = check_bugs_apply(app_dir, [bug for bug in planted if bug])
        if problems:
            raise BugDoesNotApply("\n".join(problems))
        folders = [
            make_suite_copy(
                suite_dir, app_dir, bug, Path(tmp) / f"{i:02d}-{bug.name if bug else 'no-bug'}"
            )
            for i, bug in enumerate(planted)
        ]
        caches = [
            None if cache_dir is None or bug is None else cache_dir / bug.name for bug in planted
        ]
        if preloaded and preloaded_pytest.available():
            runs = [
                preloaded_pytest.Run(folder, tuple(suite_args(cache)))
                for folder, cache in zip(folders, caches, strict=True)
            ]
            done = preloaded_pytest.run_many(python, runs, workers, TIMEOUT_SECONDS, run_env())
            return [
                SuiteRun(bug, run.returncode, last_line(run.output), run.output)
                for bug, run in zip(planted, done, strict=True)
            ]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(run_suite, python, folder, bug, cache)
                for folder, bug, cache in zip(folders, planted, caches, strict=True)
            ]
            return [future.result() for future in futures]


# -- the report -----------------------------------------------------------------------------


def table(runs: Sequence[SuiteRun], shown: str) -> str:
    """One row per planted bug: what it is, and the first test that failed on it, or MISSED.

    The tests are named from inside `shown`/tests/ ("test_login.py::test_x"), to keep rows short.
    """
    rows = [(run.bug.description, verdict(run)) for run in runs if run.bug is not None]
    width = max([len(description) for description, _ in rows] + [len("planted bug")])
    lines = [f"  {'planted bug':<{width}}  caught by (first failing test in {shown}/{SUITE_DIR}/)"]
    lines.append(f"  {'-' * width}  {'-' * 50}")
    lines += [f"  {description:<{width}}  {result}" for description, result in rows]
    return "\n".join(lines)


def verdict(run: SuiteRun) -> str:
    """The table's second column: the first failing test, MISSED, or why it couldn't run."""
    if run.outcome == "fail":
        return (run.first_failure or run.summary).removeprefix(f"{SUITE_DIR}/")
    if run.outcome == "pass":
        return "MISSED"
    return f"ERROR: the tests could not run ({run.summary})"


def _whole_lines(change: Change, app_dir: Path | None) -> tuple[list[str], list[str]]:
    """The lines of app_dir's file that `change` touches, before and after it, each whole: a
    snippet may begin or end mid-line ("await session.commit()" without its indentation).
    Without app_dir, or if the file no longer holds the snippet, the snippet's own lines."""
    before = after = ""
    if app_dir is not None:
        try:
            text = (app_dir / change.path).read_text(encoding="utf-8")
        except OSError:
            text = ""
        start = text.find(change.old)
        if start >= 0:
            end = start + len(change.old)
            before = text[text.rfind("\n", 0, start) + 1 : start]
            line_end = text.find("\n", end)
            after = text[end : line_end if line_end >= 0 else len(text)]
    old = f"{before}{change.old}{after}".splitlines()
    new = f"{before}{change.new}{after}".splitlines()
    return old, new


def describe_change(bug: Bug, app_dir: Path | None = None) -> list[str]:
    """The bug's change as a small diff, indented, for the learner to see what was planted:
    the lines it touches, whole, as they are in app_dir (the reference app) if given, each
    marked removed (-), added (+) or unchanged."""
    lines = []
    for change in bug.changes:
        lines.append(f"    in {change.path}:")
        old, new = _whole_lines(change, app_dir)
        # "- " removed, "+ " added, "  " unchanged (ndiff's "? " marks are left out)
        lines += [f"    {line}".rstrip() for line in difflib.ndiff(old, new) if line[0] != "?"]
    return lines


def report(
    runs: Sequence[SuiteRun], shown: str, app_dir: Path | None = None
) -> tuple[str, list[str]]:
    """The text the check prints, and its failures (empty when every bug was caught).

    `shown` names the suite's folder ("workspace", "steps/09-testing"); app_dir is the
    reference app the bugs were planted in, to show each missed change's lines whole.
    """
    failures = []
    lines = []
    for run in runs:
        if run.bug is None and run.outcome != "pass":
            failures.append("your tests fail on the reference app")
            lines += [
                f"Your tests fail on the reference app ({run.summary}): first failure "
                f"{run.first_failure or '(see below)'}. They may test something only your "
                f"app has (a name of your own in an import, a different message); the "
                "planted bugs are copies of the reference app, so they must pass on it.",
                *(f"    {line}" for line in run.output.strip().splitlines()[-15:]),
                "",
            ]
    bug_runs = [run for run in runs if run.bug is not None]
    lines.append(
        f"Planted bugs: the tests of {shown}/{SUITE_DIR}/ on copies of the reference app, "
        "one bug in each. Each bug must make a test fail."
    )
    lines += ["", table(bug_runs, shown), ""]
    missed = [run for run in bug_runs if run.outcome == "pass"]
    errors = [run for run in bug_runs if run.outcome == "error"]
    for run in missed:
        assert run.bug is not None
        lines += [f"MISSED: {run.bug.description}. The change planted:"]
        lines += describe_change(run.bug, app_dir)
        lines += ["  and every test still passed: write one that fails on this change.", ""]
    for run in errors:
        assert run.bug is not None
        lines += [f"ERROR with the bug {run.bug.description!r}: {run.summary}"]
        lines += [f"    {line}" for line in run.output.strip().splitlines()[-15:]]
        lines.append("")
    caught = len(bug_runs) - len(missed) - len(errors)
    lines.append(
        f"{len(bug_runs)} planted bugs: {caught} caught, {len(missed)} MISSED"
        + (f", {len(errors)} could not run." if errors else ".")
    )
    if missed:
        failures.append(f"{len(missed)} planted bug(s) MISSED")
    if errors:
        failures.append(f"the tests could not run on {len(errors)} planted bug(s)")
    return "\n".join(lines), failures
