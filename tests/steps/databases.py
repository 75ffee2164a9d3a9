"""The test databases: SQLite files, or PostgreSQL databases, migrated
from step 11 on.

Up to step 10 the app creates its own tables: each test gets an empty
SQLite file. From step 11 (tools.steps.FIRST_STEP_WITH_MIGRATIONS) Alembic
owns the schema, and SPEC says the harness brings each fresh test database
to the current schema with `alembic upgrade head`, run in the app's folder
with DATABASE_URL set, before the app starts. Running it for every test
would cost a Python process each (about a second), so it runs once per
session, as a real process, exactly as a learner runs it:

- SQLite (`--database sqlite`, the default): on a template file, copied
  for each test. The copy holds the very bytes Alembic wrote, so it is the
  database a migration of that test's own empty file would give.
- PostgreSQL (`--database postgresql`): on one database made for the
  session (dropped at its end); before each test every table but
  alembic_version is emptied and every sequence restarted
  (RESET_TABLES), so each test starts with no rows and ids counting from
  1 again. A new database per test would cost about 0.6 s here (CREATE
  DATABASE … TEMPLATE, then DROP). The reset runs on one connection kept
  open for the session (PostgresConnection): a new connection costs
  about 14 ms, and DELETE is cheaper than TRUNCATE on tables this small
  (TRUNCATE makes new files for each table, and syncs them).

PostgreSQL is found at WORKSHOP_POSTGRES_URL (default
postgresql://postgres@127.0.0.1:5432/ postgres: user postgres, trust
authentication). When it can't be reached, the PostgreSQL run skips every
test saying how to start one; with CI=true it fails instead.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from tools.step_tests import bytecode_env
from tools.steps import FIRST_STEP_WITH_MIGRATIONS

DATABASES = ("sqlite", "postgresql")
POSTGRES_URL = os.environ.get(
    "WORKSHOP_POSTGRES_URL",
    "postgresql://postgres@127.0.0.1:5432/postgres",
)
HOW_TO_START_POSTGRES = (
    "start one (Debian/Ubuntu: `sudo apt-get install postgresql && sudo "
    "service postgresql start`, then allow user postgres from "
    "127.0.0.1; or `docker run -p 5432:5432 -e "
    "POSTGRES_HOST_AUTH_METHOD=trust postgres:17`), or name yours in "
    "WORKSHOP_POSTGRES_URL"
)
MIGRATION_TIMEOUT = 120  # seconds
# The session's connection for the reset before each test (PostgreSQL)
RESET_CONNECTION = pytest.StashKey["PostgresConnection"]()


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def postgres_url(
    database: str, driver: str = "postgresql+asyncpg"
) -> str:
    """The URL of `database` on the PostgreSQL server of POSTGRES_URL, for
    `driver`."""
    parts = urlsplit(POSTGRES_URL)
    return urlunsplit(
        (driver, parts.netloc, f"/{database}", parts.query, "")
    )


def new_database_name() -> str:
    return f"workshop_test_{uuid.uuid4().hex[:12]}"


# -- PostgreSQL, from synchronous code -----------------------------------


def postgres(database: str | None, *statements: str) -> list[list[Any]]:
    """Run SQL statements on the server's `database` (None: its default
    one); their rows.

    Runs asyncpg in a thread of its own, so that it works from a sync
    fixture as well as inside a running event loop. Raises OSError (or
    asyncpg's errors) when it can't connect.
    """
    # The app's PostgreSQL driver, a runtime dependency from step 11
    import asyncpg

    url = (
        POSTGRES_URL
        if database is None
        else postgres_url(database, "postgresql")
    )

    async def run() -> list[list[Any]]:
        connection = await asyncpg.connect(url, timeout=5)
        try:
            return [
                await connection.fetch(statement)
                for statement in statements
            ]
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def create_postgres_database(name: str) -> str:
    """Create an empty database `name`; its URL for the app
    (postgresql+asyncpg://…)."""
    postgres(None, f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def drop_postgres_database(name: str) -> None:
    postgres(None, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def require_postgres() -> None:
    """Skip (fail with CI=true) the calling test when no PostgreSQL
    answers at POSTGRES_URL."""
    try:
        postgres(None, "SELECT 1")
    except Exception as exc:
        # Refused, timed out, bad password: PostgreSQL isn't usable
        message = (
            f"PostgreSQL is not reachable at {POSTGRES_URL} "
            f"({type(exc).__name__}: {exc}): {HOW_TO_START_POSTGRES}."
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                f"CI=true, and the PostgreSQL tests must run: {message}",
                pytrace=False,
            )
        pytest.skip(f"the PostgreSQL tests need a server. {message}")


# Empty every table of the current schema but alembic_version, then
# restart every sequence of that schema (the ids count from 1 again), in
# one statement, one transaction. DELETE in an order that foreign keys
# allow: a table whose DELETE a foreign key refuses waits for the next
# round; tables that only refer to each other (no order works) are
# TRUNCATEd together, with CASCADE.
RESET_TABLES = """
DO $reset$
DECLARE
    pending text[];
    refused text[];
    name text;
BEGIN
    SELECT coalesce(
        array_agg(format('%I.%I', schemaname, tablename)), '{}'
    )
    INTO pending
    FROM pg_tables
    WHERE schemaname = current_schema()
        AND tablename <> 'alembic_version';
    WHILE cardinality(pending) > 0 LOOP
        refused := '{}';
        FOREACH name IN ARRAY pending LOOP
            BEGIN
                EXECUTE 'DELETE FROM ' || name;
            EXCEPTION WHEN foreign_key_violation THEN
                refused := refused || name;
            END;
        END LOOP;
        IF cardinality(refused) = cardinality(pending) THEN
            EXECUTE 'TRUNCATE ' || array_to_string(refused, ', ')
                || ' CASCADE';
            refused := '{}';
        END IF;
        pending := refused;
    END LOOP;
    FOR name IN
        SELECT format('%I.%I', schemaname, sequencename)
        FROM pg_sequences
        WHERE schemaname = current_schema()
    LOOP
        EXECUTE 'ALTER SEQUENCE ' || name || ' RESTART';
    END LOOP;
END
$reset$
"""


class PostgresConnection:
    """One asyncpg connection to `database` on the server of POSTGRES_URL,
    kept open until close(), for statements run from synchronous code
    (fixtures) before every test.

    The connection lives on an event loop of its own, in a thread of its
    own, so it works whether or not the caller runs an event loop. It
    waits at most 10 s for a lock (lock_timeout): an app that left a
    transaction open makes the reset fail instead of hang. Raises OSError
    (or asyncpg's errors) when it can't connect.
    """

    def __init__(self, database: str) -> None:
        # The app's PostgreSQL driver, a runtime dependency from step 11
        import asyncpg

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever,
            name=f"postgres-{database}",
            daemon=True,
        )
        self._thread.start()
        try:
            self._connection = self._run(
                asyncpg.connect(
                    postgres_url(database, "postgresql"),
                    timeout=5,
                    server_settings={"lock_timeout": "10s"},
                )
            )
        except BaseException:
            self._stop()
            raise

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(
            coroutine, self._loop
        ).result()

    def _stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()

    def execute(self, statement: str) -> str:
        """Run one SQL statement (or several, separated by `;`, without
        parameters); the status of the last one ("DELETE 3")."""
        return self._run(self._connection.execute(statement))

    def close(self) -> None:
        """Close the connection and stop its thread."""
        try:
            self._run(self._connection.close())
        finally:
            self._stop()


def empty_postgres_tables(connection: PostgresConnection) -> None:
    """Empty every table but alembic_version of the connection's
    database, and restart its sequences: ids count from 1 again."""
    connection.execute(RESET_TABLES)


def stored_bytes(database_url: str) -> bytes:
    """The whole content of a test database: a SQLite file's bytes, or, on
    PostgreSQL, every row of every table of the current schema as text
    (UTF-8)."""
    if database_url.startswith("sqlite"):
        return Path(database_url.split(":///", 1)[1]).read_bytes()
    database = urlsplit(database_url).path.lstrip("/")
    [tables] = postgres(
        database,
        "SELECT tablename FROM pg_tables"
        " WHERE schemaname = current_schema()",
    )
    queries = [
        f'SELECT t::text AS row FROM "{table["tablename"]}" AS t'
        for table in tables
    ]
    results = postgres(database, *queries)
    return "\n".join(
        row["row"] for rows in results for row in rows
    ).encode()


def table_names(database_url: str) -> set[str]:
    """The tables of a test database (none if the SQLite file doesn't
    exist)."""
    if database_url.startswith("sqlite"):
        path = Path(database_url.split(":///", 1)[1])
        if not path.exists():
            return set()
        with closing(sqlite3.connect(path)) as connection:
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
            return {name for (name,) in rows}
    database = urlsplit(database_url).path.lstrip("/")
    [rows] = postgres(
        database,
        "SELECT tablename FROM pg_tables"
        " WHERE schemaname = current_schema()",
    )
    return {row["tablename"] for row in rows}


# -- Alembic -------------------------------------------------------------


def alembic(
    app_dir: Path,
    database_url: str,
    *args: str,
    env: dict[str, str] | None = None,
):
    """`alembic ARGS` as a real process in app_dir, with DATABASE_URL; the
    CompletedProcess.

    Only the variables of this process that SPEC doesn't name are passed
    on (an instructor's ENVIRONMENT=production must not leak in), plus
    `env`. Never raises for a failed command.
    """
    from .conftest import SPEC_ENV_VARS, TEST_ENV

    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in SPEC_ENV_VARS
    }
    return subprocess.run(
        [sys.executable, "-m", "alembic", *args],
        cwd=app_dir,
        env=inherited
        | TEST_ENV
        | {"DATABASE_URL": database_url}
        | bytecode_env()
        | (env or {}),
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=MIGRATION_TIMEOUT,
        check=False,
    )


def run_migrations(app_dir: Path, database_url: str) -> None:
    """`alembic upgrade head` in app_dir on database_url; fails the test
    if it can't."""
    if not (app_dir / "alembic.ini").is_file():
        pytest.fail(
            f"From step {FIRST_STEP_WITH_MIGRATIONS} Alembic creates the "
            f"tables, and {app_dir} has no alembic.ini: run `alembic "
            "init -t async migrations` there and "
            "write the first migration (see the step's page).",
            pytrace=False,
        )
    done = alembic(app_dir, database_url, "upgrade", "head")
    if done.returncode != 0:
        pytest.fail(
            f"`alembic upgrade head` in {app_dir} with "
            f"DATABASE_URL={database_url} failed "
            f"(exit {done.returncode}):\n"
            f"{(done.stdout + done.stderr)[-3000:]}",
            pytrace=False,
        )


# The session's SQLite file migrated to head (sqlite_template), once made
SQLITE_TEMPLATE = pytest.StashKey[str]()


def sqlite_template(config: pytest.Config, tmp_path_factory: Any) -> str:
    """The path of the session's SQLite file brought to head by `alembic
    upgrade head` in the app's folder: made on the first call, the same
    file after that. Each test database of a SQLite run is a copy of it
    (migrated_template), and so is a test's second database
    (AppUnderTest.new_database), on PostgreSQL runs too. Fails the test
    (pytest.fail) if the migration does."""
    from .conftest import APP_DIR

    if SQLITE_TEMPLATE not in config.stash:
        template = tmp_path_factory.mktemp("migrated") / "template.db"
        run_migrations(config.stash[APP_DIR], sqlite_url(template))
        config.stash[SQLITE_TEMPLATE] = str(template)
    return config.stash[SQLITE_TEMPLATE]


# -- fixtures ------------------------------------------------------------


@pytest.fixture(scope="session")
def migrated_template(
    request: pytest.FixtureRequest, tmp_path_factory
) -> Iterator[str | None]:
    """Once per session, from step 11: a database brought to head by
    `alembic upgrade head`.

    SQLite: the template file's path. PostgreSQL: the session's database
    name. None before step 11 (the app makes its tables itself)."""
    from .conftest import APP_DIR, STEP

    config = request.config
    kind = config.getoption("--database")
    if config.stash[STEP] < FIRST_STEP_WITH_MIGRATIONS:
        yield None
        return
    app_dir = config.stash[APP_DIR]
    if kind == "sqlite":
        yield sqlite_template(config, tmp_path_factory)
        return
    require_postgres()
    name = new_database_name()
    url = create_postgres_database(name)
    try:
        run_migrations(app_dir, url)
        connection = PostgresConnection(name)
        try:
            config.stash[RESET_CONNECTION] = connection
            yield name
        finally:
            del config.stash[RESET_CONNECTION]
            connection.close()
    finally:
        drop_postgres_database(name)


@pytest.fixture
def test_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_template
) -> str:
    """The DATABASE_URL of this test's fresh database (migrated to head
    from step 11)."""
    if request.config.getoption("--database") == "postgresql":
        empty_postgres_tables(request.config.stash[RESET_CONNECTION])
        return postgres_url(migrated_template)
    database = tmp_path / "test.db"
    if migrated_template is not None:
        shutil.copyfile(migrated_template, database)
    return sqlite_url(database)


@pytest.fixture
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A database of this run's kind that nothing ever migrated (dropped
    after the test)."""
    if request.config.getoption("--database") == "sqlite":
        yield sqlite_url(tmp_path / "empty.db")
        return
    require_postgres()
    name = new_database_name()
    url = create_postgres_database(name)
    try:
        yield url
    finally:
        drop_postgres_database(name)
