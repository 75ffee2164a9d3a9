"""Step 10 on: an unhandled error is a 500 without details, its traceback
in the log; bad settings stop the app at start."""

import logging
import sqlite3

import httpx
import pytest
from asgi_lifespan import LifespanManager

from .helpers import start_failure


def drop_every_table(database):
    """What a broken deployment does to a running app: the tables are
    gone."""
    with sqlite3.connect(database) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND "
            "name NOT LIKE 'sqlite_%'"
        ).fetchall()
        assert tables, f"the app created no tables in {database}"
        for (name,) in tables:
            connection.execute(f'DROP TABLE "{name}"')
    connection.close()


async def unhandled_error(
    app_under_test, before=lambda: None, **headers: str
) -> httpx.Response:
    """The answer to GET /items once the database's tables are gone (an
    error no route expects), sent with `headers`; `before()` is called
    just before it is sent."""
    database_url = app_under_test.new_database("broken.db")
    app = app_under_test.load(DATABASE_URL=database_url)
    async with LifespanManager(app) as manager:
        # raise_app_exceptions=False: see the response, as a client would,
        # even if the app raises the error on to the server (Starlette's
        # default 500 does).
        transport = httpx.ASGITransport(
            app=manager.app, raise_app_exceptions=False
        )
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as c:
            assert (await c.get("/items")).status_code == 200
            drop_every_table(app_under_test.tmp_path / "broken.db")
            before()
            return await c.get("/items", headers=headers)


@pytest.mark.steps("10+")
async def test_an_unhandled_error_is_a_500_without_details(
    app_under_test, caplog
):
    """An error no route expects → 500 {"detail": "Internal server
    error"}; traceback logged.

    No input a client can send may cause one (SPEC), so the test breaks
    the server: it drops the database's tables while the app runs, and
    lists the items. (On a SQLite file of its own, also in a PostgreSQL
    run: the other tests share that database.)
    """
    response = await unhandled_error(app_under_test, caplog.clear)
    assert response.status_code == 500, (
        f"expected a 500, got {response.status_code}"
    )
    assert response.headers.get("content-type", "").startswith(
        "application/json"
    ), (
        "the 500 must be JSON, got "
        f"{response.headers.get('content-type')}: {response.text!r}"
    )
    assert response.json() == {"detail": "Internal server error"}
    logged = [record for record in caplog.records if record.exc_info]
    assert len(logged) == 1, (
        "the error must be logged once, with its traceback "
        f"(logger.exception): {len(logged)} log record(s) carry one"
    )
    assert "no such table" in caplog.text, (
        "the log must hold the error itself"
    )
    assert logged[0].levelno >= logging.ERROR


@pytest.mark.steps("10+")
@pytest.mark.parametrize("minutes", ["0", "-5", "thirty", "99999999999"])
async def test_a_bad_token_lifetime_stops_the_app(
    app_under_test, minutes
):
    """ACCESS_TOKEN_EXPIRE_MINUTES that is not a sensible number of
    minutes: no start.

    Not a 500 at the first login: 0 or less makes tokens that are expired
    when made, and a lifetime past the year 9999 can't be written as a
    date.
    """
    message = await start_failure(
        app_under_test, ACCESS_TOKEN_EXPIRE_MINUTES=minutes
    )
    assert "access_token_expire_minutes" in message.lower(), (
        f"the message doesn't name ACCESS_TOKEN_EXPIRE_MINUTES: {message}"
    )


@pytest.mark.steps("10+")
async def test_a_500_carries_the_cors_headers(app_under_test):
    """A 500 to an allowed origin carries Access-Control-Allow-Origin, so
    the browser shows the error, not a CORS one.

    CORS sits outside catch_errors (SPEC): added before it, it would
    never see the 500 that catch_errors makes.
    """
    origin = "http://localhost:3000"  # the default CORS_ORIGINS
    response = await unhandled_error(app_under_test, Origin=origin)
    assert response.status_code == 500, (
        f"expected a 500, got {response.status_code}"
    )
    assert (
        response.headers.get("access-control-allow-origin") == origin
    ), (
        f"the 500 to Origin: {origin} has no Access-Control-Allow-Origin "
        f"(headers: {dict(response.headers)}): add the CORS middleware "
        "after catch_errors, so that it wraps it"
    )
