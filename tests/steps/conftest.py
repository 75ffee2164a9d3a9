"""Harness for the black-box tests of the steps.

The tests know only what SPEC.md promises: `app.main:app`, its HTTP API
and its environment variables. This file loads that app from one directory
(a reference step, or a learner's workspace), gives every test a fresh app
and database, runs the app's lifespan, and hands the test an httpx client.

Run it through nox (`uv run nox -s step-03`,
`uv run nox -s step-03 -- workspace`), or directly:
`pytest tests/steps --step 03 [--app-dir workspace]`.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import importlib
import inspect
import logging
import shutil
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    asynccontextmanager,
    contextmanager,
    suppress,
)
from pathlib import Path
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from tools.behaviours import behaviour, step_range_matches
from tools.planted_bugs import has_suite
from tools.steps import FIRST_STEP_WITH_MIGRATIONS, get_step

from .databases import DATABASES, sqlite_template, stored_bytes

# The database fixtures (the "x as x" form tells linters that importing
# them is the point).
from .databases import empty_database_url as empty_database_url
from .databases import migrated_template as migrated_template
from .databases import test_database_url as test_database_url
from .failures import (
    ANSWERED_NOT_FOUND,
    Failure,
    ServerError,
    explain,
    import_failure,
    missing_routes,
    server_error,
)
from .failures import summary as failure_summary

# Every environment variable of SPEC.md. Each test starts with none of
# them set except those the harness sets, so an instructor's shell can't
# leak into a test.
SPEC_ENV_VARS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "ACCESS_TOKEN_EXPIRE_MINUTES",
    "CORS_ORIGINS",
    "ENVIRONMENT",
)

# What every test's app gets unless the test says otherwise. BCRYPT_ROUNDS
# is not in SPEC: the reference steps read it (from 06) so that hashing
# stays fast in tests; an app that ignores it passes too, only slower.
# SECRET_KEY (from 07) is known, so that the token tests can forge tokens
# of their own (helpers.make_token).
TEST_SECRET_KEY = (
    "workshop-tests-only-secret-key-4c1f0a9b7e2d6c3a8f5b0e9d7c2a1f6e"
)
# ARGON2_MEMORY_COST (from 12, KiB) is BCRYPT_ROUNDS' twin for Argon2:
# cheap hashes in tests.
TEST_ENV = {
    "BCRYPT_ROUNDS": "4",
    "ARGON2_MEMORY_COST": "64",
    "SECRET_KEY": TEST_SECRET_KEY,
}


# -- options and test selection ------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workshop")
    group.addoption("--step", help="the step whose tests to run, e.g. 03")
    group.addoption(
        "--app-dir",
        help=(
            "the folder holding app/main.py "
            "(default: the step's reference code)"
        ),
    )
    group.addoption(
        "--database",
        choices=DATABASES,
        default="sqlite",
        help=(
            "the tests' databases: sqlite, or postgresql "
            f"(from {FIRST_STEP_WITH_MIGRATIONS})"
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    step = config.getoption("--step")
    if step is None:
        raise pytest.UsageError(
            "Say which step to test: --step 03 (or use `uv run nox -s "
            "step-03`)."
        )
    reference = get_step(step)
    app_dir = Path(
        config.getoption("--app-dir") or reference.path
    ).resolve()
    main = app_dir / "app" / "main.py"
    if not main.is_file():
        raise pytest.UsageError(
            f"Expected the app at {main}, but there is no such file. The "
            "folder to check must hold app/__init__.py and app/main.py."
        )
    config.stash[STEP] = int(reference.number)
    database = config.getoption("--database")
    if (
        database != "sqlite"
        and config.stash[STEP] < FIRST_STEP_WITH_MIGRATIONS
    ):
        raise pytest.UsageError(
            f"--database {database}: the steps run on PostgreSQL from "
            f"step {FIRST_STEP_WITH_MIGRATIONS} on."
        )
    config.stash[APP_DIR] = app_dir
    # --lf skips whole files before this harness sees their tests: what
    # failed last time, read before this run rewrites it, tells whether
    # the run was only those (the closing line).
    if config.getoption("lf", False) and config.cache is not None:
        config.stash[LAST_FAILED] = set(
            config.cache.get("cache/lastfailed", {})
        )


STEP = pytest.StashKey[int]()
LAST_FAILED = pytest.StashKey[set[str]]()
APP_DIR = pytest.StashKey[Path]()


# Before -k, -m and --deselect choose among the step's tests (they run
# after this hook): the closing line says when only some of them ran.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if STEP not in config.stash:
        # Collected from above tests/steps, without --step
        raise pytest.UsageError(
            "The step tests need a step: pytest tests/steps --step 03 "
            "(or uv run nox -s step-03)."
        )
    step = config.stash[STEP]
    selected, deselected = [], []
    for item in items:
        marker = item.get_closest_marker("steps")
        if marker is None or not marker.args:
            raise pytest.UsageError(
                f"{item.nodeid} has no @pytest.mark.steps(...) marker: "
                "say which steps it applies to."
            )
        if any(step_range_matches(spec, step) for spec in marker.args):
            selected.append(item)
        else:
            deselected.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
    # What this step adds runs first, then what earlier steps already
    # asked. A learner sees the new behaviours' results first (with -x,
    # the first failure is usually the step's point), and a run that stops
    # at its first failure (`nox -s progress`, the consistency check on
    # the previous step's code) stops after a few tests, not a whole
    # step's.
    selected.sort(key=lambda item: not is_new_in(item, step))
    items[:] = selected
    config.stash[STEP_TESTS] = len(selected)


STEP_TESTS = pytest.StashKey[int]()


def is_new_in(item: pytest.Item, step: int) -> bool:
    """Whether the test applies to `step` and not to the step before it
    (as the step pages' lists of new behaviours count it, in
    tools/behaviours.py)."""
    marker = item.get_closest_marker("steps")
    return marker is not None and not any(
        step_range_matches(spec, step - 1) for spec in marker.args
    )


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(
    collector: pytest.Collector, name: str, obj: object
) -> Any:
    # Every test here is `async def`: run it with anyio, without a marker
    # on each one.
    if inspect.iscoroutinefunction(obj):
        pytest.mark.anyio(obj)
    return (yield)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- loading the app under test ------------------------------------------


def forget_app_modules() -> None:
    """Drop the `app` package from sys.modules so the next import runs it
    afresh.

    Module-level state (step 03's dict, an engine made at import time from
    DATABASE_URL) starts new for every test. SQLModel keeps every table in
    one global MetaData, so a re-imported model would be "already
    defined": clear it.
    """
    for name in list(sys.modules):
        if name == "app" or name.startswith("app."):
            del sys.modules[name]
    if "sqlmodel" in sys.modules:
        from sqlmodel import SQLModel
        from sqlmodel.main import default_registry

        default_registry.dispose(cascade=True)
        SQLModel.metadata.clear()
    forget_library_caches()


# Libraries that cache what they learn about an app's functions and
# classes in module-level functools caches: FastAPI keeps up to 4096
# endpoints and dependencies in each of its own. Those entries keep every
# earlier test's app alive (its modules, models, routes), so memory grows
# test after test and Python's garbage collector walks all of it again and
# again: about a third of a step check's CPU time. Emptying a cache
# changes no behaviour, only what is computed again.
CACHING_LIBRARIES = frozenset(
    {"fastapi", "pydantic", "starlette", "sqlmodel"}
)
# functools.cache's type too
FUNCTOOLS_CACHE = type(functools.lru_cache(maxsize=1)(print))
# Caches keyed by id(function) that keep no reference to the function:
# once an earlier test's app is freed, a new endpoint may get an old one's
# id, and be taken for it. FastAPI's file, line and name of an endpoint,
# which its validation errors (and so a failing test's summary) show, came
# out as an earlier test's endpoint: "in create_item: the endpoint of GET
# /items/{item_id}" (fastapi issue 16390).
CACHES_BY_ID = (("fastapi.routing", "_endpoint_context_cache"),)


def forget_library_caches() -> None:
    """Empty every functools cache defined at module level in
    CACHING_LIBRARIES, and the caches of CACHES_BY_ID."""
    for name, module in list(sys.modules.items()):
        if (
            name.partition(".")[0] not in CACHING_LIBRARIES
            or module is None
        ):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, FUNCTOOLS_CACHE):
                value.cache_clear()
    for module_name, name in CACHES_BY_ID:
        cache = getattr(sys.modules.get(module_name), name, None)
        if isinstance(cache, dict):
            cache.clear()


def freeze_what_lives_on() -> None:
    """Once, after the first app is loaded: hide the objects alive now
    (the libraries, which stay to the end) from the garbage collector, so
    that each collection walks only what the tests create. Python's own
    advice for long-lived processes (gc.freeze)."""
    if not FROZEN:
        gc.collect()
        gc.freeze()
        FROZEN.append(True)


FROZEN: list[bool] = []


class ServerErrors(logging.Handler):
    """Keeps, as text, the errors that the app logs with their traceback
    (from step 10 the app answers an unhandled error with a plain 500 and
    logs it, `logger.exception`): what a failing test's "answered 500"
    was (failures.ServerError)."""

    def __init__(self, app_dir: Path) -> None:
        super().__init__(logging.ERROR)
        self.app_dir = app_dir
        self.errors: list[ServerError] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            # Strings only: the exception's frames would keep the test's
            # objects (sessions, connections) alive.
            self.errors.append(server_error(exc, self.app_dir))


class ImportFailed(pytest.fail.Exception):
    """The test fails because app.main could not be imported; __cause__
    is the import's error (the summary names it, and where it was
    raised)."""


LOGIN_PATH = "/auth/login"


class AppUnderTest:
    """Imports `app.main:app` from one folder, with the environment a test
    chose."""

    def __init__(
        self,
        app_dir: Path,
        monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path,
        database_url: str,
        step: int,
        migrated_sqlite: Callable[[], str],
    ) -> None:
        self.app_dir = app_dir
        self.monkeypatch = monkeypatch
        self.tmp_path = tmp_path
        # This test's own database: empty, and from step 11 migrated
        # (tests/steps/databases.py).
        self.database_url = database_url
        self.step = step
        # From step 11: the path of a SQLite file Alembic brought to head
        self.migrated_sqlite = migrated_sqlite
        # The SECRET_KEY the app was last loaded with (None if unset):
        # tokens are signed with it.
        self.secret_key: str | None = TEST_SECRET_KEY
        # For the summary of a failing test (failures.py): the app last
        # loaded, the method of the last request sent, and the requests
        # that no route answered (404 Not Found).
        self.app: Any = None
        self.last_method: str | None = None
        self.not_found: list[tuple[str, str]] = []
        # What the app logged as errors with a traceback, while served
        self.server_errors = ServerErrors(app_dir)
        # The tokens the app answered POST /auth/login with, and whether
        # it answered 401 to one of them
        self.issued_tokens: set[str] = set()
        self.own_token_refused = False

    def load(self, **env: str | None) -> Any:
        """Import the app afresh. DATABASE_URL defaults to this test's own
        empty database, then TEST_ENV; pass NAME=value to set a variable,
        NAME=None to leave it unset."""
        for name in (*SPEC_ENV_VARS, *TEST_ENV):
            self.monkeypatch.delenv(name, raising=False)
        settings = {"DATABASE_URL": self.database_url} | TEST_ENV | env
        self.secret_key = settings.get("SECRET_KEY")
        for name, value in settings.items():
            if value is not None:
                self.monkeypatch.setenv(name, value)
        forget_app_modules()
        self.monkeypatch.syspath_prepend(str(self.app_dir))
        importlib.invalidate_caches()
        try:
            module = importlib.import_module("app.main")
        except Exception as exc:
            raise ImportFailed(
                f"Could not import app.main from {self.app_dir}: "
                f"{type(exc).__name__}: {exc}",
                pytrace=False,
            ) from exc
        freeze_what_lives_on()
        app = getattr(module, "app", None)
        if app is None:
            pytest.fail(
                f"{self.app_dir}/app/main.py has no variable called "
                "`app`.",
                pytrace=False,
            )
        self.app = app
        return app

    def stored_bytes(self) -> bytes:
        """Everything the test's database holds, as bytes: the SQLite
        file, or PostgreSQL's rows as text. For looking for what must
        never be stored (a plain password)."""
        return stored_bytes(self.database_url)

    def new_database(self, filename: str) -> str:
        """The URL of another empty SQLite database in the test's folder,
        for a second server; from step 11 migrated by
        `alembic upgrade head`, as the test's own database is: a copy of
        the session's migrated file, the very bytes a migration of this
        one would write (tests/steps/databases.py)."""
        path = self.tmp_path / filename
        if self.step >= FIRST_STEP_WITH_MIGRATIONS:
            shutil.copyfile(self.migrated_sqlite(), path)
        return f"sqlite+aiosqlite:///{path}"

    async def _on_request(self, request: httpx.Request) -> None:
        self.last_method = request.method

    async def _on_response(self, response: httpx.Response) -> None:
        request = response.request
        if request.url.path == LOGIN_PATH and response.status_code == 200:
            await response.aread()
            with suppress(ValueError, KeyError, TypeError):
                self.issued_tokens.add(response.json()["access_token"])
        elif response.status_code == 401:
            scheme, _, token = request.headers.get(
                "Authorization", ""
            ).partition(" ")
            if scheme.lower() == "bearer" and token in self.issued_tokens:
                self.own_token_refused = True
        if response.status_code == 404:
            await response.aread()
            if response.text == '{"detail":"Not Found"}':
                # No route matched: Starlette's 404
                self.not_found.append(
                    (response.request.method, response.request.url.path)
                )

    @asynccontextmanager
    async def serve(
        self, **env: str | None
    ) -> AsyncIterator[httpx.AsyncClient]:
        """Start the app (lifespan included) and yield a client talking to
        it."""
        app = self.load(**env)
        async with LifespanManager(app) as manager:
            try:
                async with httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=manager.app),
                    base_url="http://testserver",
                    event_hooks={
                        "request": [self._on_request],
                        "response": [self._on_response],
                    },
                ) as client:
                    with logged_to(self.server_errors):
                        yield client
            except Exception:
                # The test failed while the app was served. A real
                # server still runs the lifespan's shutdown when stopped;
                # LifespanManager skips it on an error, and the app's
                # engine then kept its pooled connection, and that
                # connection's thread, open to the end of the run. The
                # test's own error is the one to report.
                with suppress(Exception):
                    await manager.shutdown()
                raise


@contextmanager
def logged_to(handler: logging.Handler) -> Iterator[None]:
    """Pass what is logged (to the root logger) to `handler` too."""
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield
    finally:
        root.removeHandler(handler)


@pytest.fixture
def app_under_test(
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    test_database_url: str,
) -> AppUnderTest:
    # Work in an empty folder: a default ./workshop.db or a stray .env
    # stays out of the test.
    monkeypatch.chdir(tmp_path)
    config = request.config
    app_under_test = AppUnderTest(
        config.stash[APP_DIR],
        monkeypatch,
        tmp_path,
        test_database_url,
        config.stash[STEP],
        functools.partial(sqlite_template, config, tmp_path_factory),
    )
    # For the summary of a failure, also one in a fixture's setup (before
    # the test's arguments are all known)
    request.node.stash[APP_UNDER_TEST] = app_under_test
    return app_under_test


APP_UNDER_TEST = pytest.StashKey[AppUnderTest]()


@pytest.fixture
def serve(
    app_under_test: AppUnderTest,
) -> Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]:
    """Start the app under test with extra environment variables:
    `async with serve(X="1") as c`."""
    return app_under_test.serve


@pytest.fixture
async def client(
    app_under_test: AppUnderTest,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client for a freshly started app with an empty database."""
    async with app_under_test.serve() as client:
        yield client


# -- what a learner reads at the end -------------------------------------


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Any:
    report = yield
    # The test's docstring says the behaviour in plain words: keep it for
    # the summary. The step pages list the same words (the docs hook uses
    # tools/behaviours.py too).
    report.behaviour = behaviour(
        inspect.getdoc(getattr(item, "function", None)), item.name
    )
    # How many tests the step has (pytest-xdist: known in the workers)
    report.step_tests = item.config.stash.get(STEP_TESTS, 0)
    if report.failed:
        item.stash[FAILED] = True
        # Plain strings on the report: they travel from pytest-xdist's
        # workers too.
        explained = explain_failure(item, call, report)
        report.cause, report.where = explained.cause, explained.where
        report.hint, report.hint_detail = explained.hint, explained.detail
    if call.when == "teardown" and APP_UNDER_TEST in item.stash:
        # The test's last report is made: let its app go (the item lives
        # to the end of the run; each app kept alive slowed every later
        # garbage collection)
        del item.stash[APP_UNDER_TEST]
    return report


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Any:
    if not item.stash.get(FAILED, False):
        return (yield)
    with unawaited_coroutines_ignored():
        # The fixtures' teardown may free the failed test's coroutines
        result = yield
        forget_failed_test()
    return result


@contextmanager
def unawaited_coroutines_ignored() -> Iterator[None]:
    """After a failed test: no "coroutine ... was never awaited" from its
    garbage.

    A missing `await` leaves coroutines that the failing test's exception
    holds on to. When they are freed (in the test's teardown, or some
    tests later), Python warns "coroutine ... was never awaited", and
    (warnings being errors) pytest counts an error in whichever test is
    running then. The failure itself already names the coroutine; this
    warning would only count it again. Other unraisable exceptions are
    passed on as usual."""
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        never_awaited = isinstance(
            unraisable.exc_value, RuntimeWarning
        ) and "never awaited" in (str(unraisable.exc_value))
        if not never_awaited:
            previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        sys.unraisablehook = previous


def forget_failed_test() -> None:
    """Finalize the objects a failed test's error kept alive, now (not
    some tests later)."""
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            # Pytest keeps the last error here for post-mortem debugging
            delattr(sys, name)
    gc.collect()


def explain_failure(
    item: pytest.Item, call: pytest.CallInfo[None], report: Any
) -> Failure:
    exc = call.excinfo.value if call.excinfo is not None else None
    app_dir = item.config.stash[APP_DIR]
    if isinstance(exc, ImportFailed) and exc.__cause__ is not None:
        return import_failure(
            item.nodeid, report.behaviour, exc.__cause__, app_dir
        )
    message = str(report.longrepr or "")
    if isinstance(exc, pytest.fail.Exception):
        # The harness's own words (pytest.fail)
        exc, message = None, exc.msg or ""
    app_under_test = item.stash.get(APP_UNDER_TEST, None)
    not_found: list[str] = []
    last_method = None
    server_errors: list[ServerError] = []
    own_token_refused = False
    if isinstance(app_under_test, AppUnderTest):
        last_method = app_under_test.last_method
        server_errors = app_under_test.server_errors.errors
        own_token_refused = app_under_test.own_token_refused
        # The 404s the harness's client saw, and those the test's message
        # names (from a client or a server of the test's own)
        requested = app_under_test.not_found + ANSWERED_NOT_FOUND.findall(
            f"{exc} {message}"
        )
        if requested and app_under_test.app is not None:
            not_found = missing_routes(requested, app_under_test.app)
    return explain(
        item.nodeid,
        report.behaviour,
        exc,
        message,
        app_dir,
        last_method,
        not_found,
        server_errors,
        own_token_refused,
    )


def shown_path(path: Path, config: pytest.Config) -> str:
    try:
        return path.relative_to(config.rootpath).as_posix()
    except ValueError:
        return str(path)


def pytest_terminal_summary(
    terminalreporter: Any, exitstatus: int, config: pytest.Config
) -> None:
    step = config.stash.get(STEP, None)
    app_dir = config.stash.get(APP_DIR, None)
    if step is None or app_dir is None:
        return
    write = terminalreporter.write_line
    shown = shown_path(app_dir, config)
    reference = app_dir == get_step(f"{step:02d}").path.resolve()
    if reference:
        whose = f"the reference solution in {shown}/ (not your code)"
        yours = (
            "To check your code: "
            f"uv run nox -s step-{step:02d} -- workspace"
        )
    else:
        whose = f"{shown}/"
    reports = terminalreporter.stats.get(
        "failed", []
    ) + terminalreporter.stats.get("error", [])
    if not reports:
        if exitstatus == 0:
            ran = {
                report.nodeid: getattr(report, "step_tests", 0)
                for outcome in RAN
                for report in terminalreporter.stats.get(outcome, [])
            }
            last_failed = config.stash.get(LAST_FAILED, set())
            whole = f"uv run nox -s step-{step:02d}" + (
                "" if reference else f" -- {shown}"
            )
            for line in closing_lines(
                step,
                whose,
                len(ran),
                max(ran.values(), default=0),
                # --lf ran only what failed last time (else it runs all)
                bool(ran) and ran.keys() <= last_failed,
                has_suite(get_step(f"{step:02d}").path),
                whole,
            ):
                write(line)
            if reference:
                write(yours)
        return
    terminalreporter.section(f"step {step:02d}: what to fix in {whose}")
    failures: dict[str, Failure] = {}
    for report in sorted(
        reports, key=lambda r: (r.location[0], r.location[1] or 0)
    ):
        failure = Failure(
            report.nodeid,
            getattr(report, "behaviour", report.nodeid),
            getattr(report, "cause", "")
            or str(report.longrepr or "").strip()[:200],
            getattr(report, "where", ""),
            getattr(report, "hint", ""),
            getattr(report, "hint_detail", ""),
        )
        known = failures.setdefault(report.nodeid, failure)
        if failure.hint and not known.hint:
            # A test's first report (its failure) shows the symptom; a
            # later one (an error in its teardown) may name the cause: an
            # un-awaited `session.commit()` shows up only as "coroutine
            # 'AsyncSession.commit' was never awaited", reported by pytest
            # when the test ends.
            failures[report.nodeid] = dataclasses.replace(
                known, hint=failure.hint, detail=failure.detail
            )
    for line in failure_summary(
        list(failures.values()), len(failures), app_dir
    ):
        write(line)
    write(
        "Each behaviour is one test's docstring in tests/steps/ "
        "(SPEC.md, the docs' Specification page, is the contract). Add "
        "to the command: --lf to rerun only the failed tests, -x to "
        "stop at the first failure, -k WORD to run the tests whose name "
        "has WORD, --tb=short to see each traceback."
    )
    if reference:
        write(yours)


# The outcomes of a test that ran (pytest's terminal statistics)
RAN = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def closing_lines(
    step: int,
    whose: str,
    ran: int,
    total: int,
    last_failed_only: bool,
    own_tests: bool,
    whole: str,
) -> list[str]:
    """What a passing run ends with: every check passed; or only the `ran`
    checks that -k, -m or --deselect chose among the step's `total`, or
    that --lf chose (`last_failed_only`: those that failed last time), and
    how to run them all; from step 09 (`own_tests`), that the step's check
    goes on to the folder's tests/."""
    checks = "every check of the app" if own_tests else "every check"
    if last_failed_only:
        lines = [
            f"Step {step:02d}: the {ran} checks that failed last time "
            f"(--lf) passed for {whose}; the step's other checks did not "
            f"run. The whole check: {whole} (without --lf)."
        ]
    elif total and ran < total:
        lines = [
            f"Step {step:02d}: the {ran} checks chosen passed for "
            f"{whose}; {total - ran} of the step's {total} did not run. "
            f"The whole check: {whole} (without -k, -m or --deselect)."
        ]
    else:
        lines = [f"Step {step:02d}: {checks} passed for {whose}."]
    if own_tests:
        lines.append(
            f"uv run nox -s step-{step:02d} goes on to the tests in its "
            "tests/ folder."
        )
    return lines


# -- fixtures shared by the capabilities ---------------------------------

FIRST_STEP_WITH_OWNERS = 8


@pytest.fixture
def step(request: pytest.FixtureRequest) -> int:
    """The number of the step under test (5 for step 05)."""
    return request.config.stash[STEP]


async def register_and_login(
    client: httpx.AsyncClient, email: str, password: str
) -> dict[str, str]:
    """Register a user over HTTP, log in, and return the Authorization
    header to send."""
    from .helpers import expect_status

    body = {"email": email, "password": password}
    expect_status(await client.post("/auth/register", json=body), 201)
    response = await client.post(
        "/auth/login", data={"username": email, "password": password}
    )
    token = expect_status(response, 200).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def auth_headers_for(step: int) -> Callable[..., Any]:
    """`await auth_headers_for(client)`: headers that let a test change
    items on that client.

    None before step 08; from 08 on, a new user's token. This is what lets
    one test of item behaviour (validation, CRUD, persistence) hold from
    step 03 to the last step, while the ownership tests of 08+ check the
    tokens themselves.
    """

    async def headers_for(
        client: httpx.AsyncClient, email: str = "owner@example.com"
    ) -> dict[str, str]:
        if step < FIRST_STEP_WITH_OWNERS:
            return {}
        return await register_and_login(
            client, email, "correct horse battery"
        )

    return headers_for


@pytest.fixture
async def auth_headers(
    client: httpx.AsyncClient, auth_headers_for: Callable[..., Any]
) -> dict[str, str]:
    """Headers that let a test change items on `client` (see
    auth_headers_for)."""
    return await auth_headers_for(client)
