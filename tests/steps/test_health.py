"""Step 10 on: GET /health answers 200 after a real query, 503 when the
database is out of reach."""

import threading

import anyio
import httpx
import pytest

from .helpers import expect_status


def join_threads(threads, timeout=10):
    for thread in threads:
        thread.join(timeout)


@pytest.mark.steps("10+")
async def test_health_is_ok(client):
    """GET /health → 200 {"status": "ok"} when the database answers."""
    response = expect_status(await client.get("/health"), 200)
    assert response.json() == {"status": "ok"}


@pytest.mark.steps("10+")
async def test_health_is_503_when_the_database_cannot_be_reached(
    app_under_test, tmp_path
):
    """GET /health → 503 {"status": "unavailable"}, no traceback, when the
    database is out of reach.

    DATABASE_URL names a file in a folder that doesn't exist: SQLite can't
    open it. The lifespan would fail on it (it creates the tables), so
    this app is called without it, as an app whose database went away
    after it started: /health must query, and say so.
    """
    url = f"sqlite+aiosqlite:///{tmp_path / 'no-such-folder' / 'test.db'}"
    app = app_under_test.load(DATABASE_URL=url)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    threads_before = set(threading.enumerate())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as client:
        response = await client.get("/health")
    # aiosqlite opens a database in a thread of its own, which reports the
    # failure to the event loop: let such threads finish before the test's
    # loop closes.
    started = [
        thread
        for thread in threading.enumerate()
        if thread not in threads_before
    ]
    await anyio.to_thread.run_sync(join_threads, started)
    assert response.status_code == 503, (
        "expected 503 from /health when the database can't be opened, "
        f"got {response.status_code} {response.text[:300]}: does /health "
        "run a query, and turn its failure into 503?"
    )
    assert response.json() == {"status": "unavailable"}
