"""Step 11 on: deployable. Alembic owns the schema, the production server
runs several worker processes, and ENVIRONMENT=production refuses a weak
SECRET_KEY.

These tests run on SQLite and, with `--database postgresql`, on PostgreSQL
(the nox session runs both). The server tests start real processes: the
command the step's page documents.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from tools.serve import free_port

from .conftest import SPEC_ENV_VARS, TEST_ENV, TEST_SECRET_KEY
from .databases import alembic, table_names
from .helpers import at_once, expect_status

# Seconds: two workers each import the app, on a busy machine too
STARTUP_TIMEOUT = 60.0
TABLES = {"user", "item"}


def alembic_ok(app_dir: Path, database_url: str, *args: str) -> str:
    """Run `alembic ARGS`; its output. The test fails, showing it, if the
    command fails."""
    done = alembic(app_dir, database_url, *args)
    output = done.stdout + done.stderr
    assert done.returncode == 0, (
        f"`alembic {' '.join(args)}` failed:\n{output[-3000:]}"
    )
    return output


@pytest.mark.steps("11+")
def test_alembic_upgrade_head_makes_the_tables_and_downgrade_removes_them(
    app_under_test, empty_database_url
):
    """`alembic upgrade head` on an empty database makes the tables and
    `alembic current` says head, `alembic check` finds no difference from
    the models, `downgrade -1` steps back, `downgrade base` removes them
    all, and upgrade works again (the commands of page 11)."""
    app_dir = app_under_test.app_dir
    alembic_ok(app_dir, empty_database_url, "upgrade", "head")
    made = table_names(empty_database_url)
    assert made >= TABLES, (
        f"after `alembic upgrade head` the tables are {sorted(made)}"
    )
    assert "alembic_version" in made, (
        "Alembic records the revision in alembic_version"
    )
    current = alembic_ok(app_dir, empty_database_url, "current")
    assert "(head)" in current, (
        f"after `alembic upgrade head`, `alembic current` said: {current}"
    )
    # Exits 1 when models and schema differ
    alembic_ok(app_dir, empty_database_url, "check")
    alembic_ok(app_dir, empty_database_url, "downgrade", "-1")
    current = alembic_ok(app_dir, empty_database_url, "current")
    assert "(head)" not in current, (
        f"after `alembic downgrade -1`, `alembic current` said: {current}"
    )
    alembic_ok(app_dir, empty_database_url, "downgrade", "base")
    left = table_names(empty_database_url) - {"alembic_version"}
    assert not left, (
        f"`alembic downgrade base` left tables behind: {sorted(left)}"
    )
    # Whatever downgrade leaves behind (PostgreSQL: the type of an Enum
    # column) would make this fail with "already exists".
    alembic_ok(app_dir, empty_database_url, "upgrade", "head")
    assert table_names(empty_database_url) >= TABLES


@pytest.mark.steps("11+")
async def test_the_app_creates_no_tables(serve, empty_database_url):
    """Started on a database nobody migrated, the app creates no tables
    (Alembic's job), and /health says it is not ready: 503, so no load
    balancer sends it traffic."""
    async with serve(DATABASE_URL=empty_database_url) as client:
        expect_status(await client.get("/"), 200)
        response = await client.get("/health")
        assert response.status_code == 503, (
            f"/health answered {response.status_code} on a database "
            "without tables: query a table the migrations make "
            "(select(Item.id)), not only select(1)"
        )
    made = table_names(empty_database_url)
    assert not made, (
        f"the app created {sorted(made)}: leave the schema to `alembic "
        "upgrade head`"
    )


@pytest.mark.steps("11+")
@pytest.mark.parametrize("field", ["name", "description"])
async def test_text_with_nul_is_refused_on_every_database(
    client, auth_headers, field
):
    """An item's text with the NUL character is a 422 (PostgreSQL can't
    store it), never a 500."""
    body = {"name": "Mug", "price": 3, field: "bad\u0000text"}
    expect_status(
        await client.post("/items", json=body, headers=auth_headers), 422
    )
    created = await client.post(
        "/items", json={"name": "Mug", "price": 3}, headers=auth_headers
    )
    item_id = expect_status(created, 201).json()["id"]
    patch = {field: "\u0000"}
    response = await client.patch(
        f"/items/{item_id}", json=patch, headers=auth_headers
    )
    expect_status(response, 422)


# -- the production server, as a real process ----------------------------


class Server:
    """A server process started by `production_server`: its URL, output
    and exit code."""

    def __init__(
        self, process: subprocess.Popen[bytes], url: str, log: Path
    ) -> None:
        self.process = process
        self.url = url
        self.log = log

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def production_env(**env: str | None) -> dict[str, str]:
    """This process's environment without SPEC's variables, plus TEST_ENV
    and `env`."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if name not in SPEC_ENV_VARS
    }
    chosen = TEST_ENV | {"ENVIRONMENT": "production"} | env
    return inherited | {
        name: value for name, value in chosen.items() if value is not None
    }


def fastapi_run(app_dir: Path, port: int, *options: str) -> list[str]:
    """The documented production command, `fastapi run app/main.py`, with
    options."""
    main = app_dir / "app" / "main.py"
    return [
        sys.executable, "-m", "fastapi", "run", str(main),
        "--host", "127.0.0.1", "--port", str(port), *options,
    ]  # fmt: skip


@contextmanager
def production_server(
    app_dir: Path, cwd: Path, env: Mapping[str, str], workers: int = 2
) -> Iterator[Server]:
    """`fastapi run app/main.py --workers N` on a free loopback port,
    until it answers.

    On leaving, SIGTERM (what Docker and systemd send), and wait for a
    clean exit."""
    port = free_port()
    log = Path(
        tempfile.mkstemp(prefix="server-", suffix=".log", dir=cwd)[1]
    )
    command = fastapi_run(app_dir, port, "--workers", str(workers))
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=cwd, env=dict(env), stdout=out, stderr=out
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            assert process.poll() is None, (
                f"the server stopped at start:\n{server.output()}"
            )
            assert time.monotonic() < deadline, (
                f"no answer in time:\n{server.output()}"
            )
            try:
                if (
                    httpx.get(f"{server.url}/", timeout=2).status_code
                    == 200
                ):
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            pytest.fail(
                "the server didn't stop within 30 s of "
                f"SIGTERM:\n{server.output()}"
            )


async def register_and_login(
    client: httpx.AsyncClient, email: str
) -> dict[str, str]:
    body = {"email": email, "password": "correct horse battery"}
    expect_status(await client.post("/auth/register", json=body), 201)
    form = {"username": email, "password": body["password"]}
    token = expect_status(
        await client.post("/auth/login", data=form), 200
    ).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


@pytest.mark.steps("11+")
async def test_production_server_with_two_workers(
    app_under_test, tmp_path
):
    """`fastapi run app/main.py --workers 2` with ENVIRONMENT=production
    serves register, login, create and list over real HTTP, and stops
    cleanly on SIGTERM."""
    env = production_env(DATABASE_URL=app_under_test.database_url)
    with production_server(
        app_under_test.app_dir, tmp_path, env
    ) as server:
        async with httpx.AsyncClient(
            base_url=server.url, timeout=30
        ) as client:
            headers = await register_and_login(client, "ada@example.com")
            body = {"name": "Mug", "price": 3}
            created = expect_status(
                await client.post("/items", json=body, headers=headers),
                201,
            )
            listed = expect_status(await client.get("/items"), 200).json()
            assert listed == [created.json()], (
                "the list must hold the item just created"
            )
    output = server.output()
    assert server.process.returncode == 0, (
        f"exit {server.process.returncode}:\n{output}"
    )
    started = output.count("Started server process")
    assert started == 2, (
        f"expected 2 worker processes, {started} started:\n{output}"
    )
    assert "Traceback" not in output, (
        f"the server logged an error:\n{output}"
    )


@pytest.mark.steps("11+")
async def test_concurrent_creates_on_two_workers_get_distinct_ids(
    app_under_test, tmp_path, request
):
    """100 concurrent POST /items to two worker processes on PostgreSQL:
    100 rows, 100 ids."""
    if request.config.getoption("--database") != "postgresql":
        pytest.skip(
            "PostgreSQL only: SQLite lets one process write at a time, "
            "so two workers writing at once may wait, or fail with "
            "'database is locked'"
        )
    env = production_env(DATABASE_URL=app_under_test.database_url)
    with production_server(
        app_under_test.app_dir, tmp_path, env
    ) as server:
        async with httpx.AsyncClient(
            base_url=server.url, timeout=60
        ) as client:
            headers = await register_and_login(client, "ada@example.com")
            responses = await at_once(
                *(
                    client.post(
                        "/items",
                        json={"name": f"item {n}", "price": 1},
                        headers=headers,
                    )
                    for n in range(100)
                )
            )
            ids = [
                expect_status(response, 201).json()["id"]
                for response in responses
            ]
            listed = [
                item["id"]
                for skip in (0, 100)
                for item in expect_status(
                    await client.get("/items", params={"skip": skip}), 200
                ).json()
            ]
    assert len(set(ids)) == 100, "every item needs its own id"
    assert sorted(listed) == sorted(ids), (
        "the list must hold exactly the 100 items created"
    )


@pytest.mark.steps("11+")
@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="unset"),
        pytest.param("x" * 31, id="31-characters"),
    ],
)
def test_production_refuses_to_start_without_a_real_secret_key(
    app_under_test, tmp_path, secret_key
):
    """With ENVIRONMENT=production and SECRET_KEY unset or under 32
    characters, the server exits with an error naming SECRET_KEY, before
    it serves anything."""
    env = production_env(
        DATABASE_URL=app_under_test.database_url, SECRET_KEY=secret_key
    )
    command = fastapi_run(app_under_test.app_dir, free_port())
    try:
        done = subprocess.run(
            command,
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(
            "the server started with ENVIRONMENT=production and a weak "
            "SECRET_KEY"
        )
    output = done.stdout + done.stderr
    assert done.returncode != 0, (
        f"the server must refuse to start:\n{output[-2000:]}"
    )
    assert "SECRET_KEY" in output, (
        f"say that SECRET_KEY is the problem:\n{output[-2000:]}"
    )


@pytest.mark.steps("11+")
async def test_development_still_starts_without_secret_key(serve):
    """Without ENVIRONMENT (development), the app still starts with no
    SECRET_KEY set."""
    async with serve(SECRET_KEY=None) as client:
        expect_status(await client.get("/"), 200)


assert len(TEST_SECRET_KEY) >= 32, (
    "the tests' own SECRET_KEY must pass in production"
)
