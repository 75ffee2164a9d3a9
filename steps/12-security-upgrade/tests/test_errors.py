"""An unhandled error: a 500 that says nothing of the code, its traceback
in the log."""

import logging

import pytest

from app.database import get_session
from app.main import app

pytestmark = pytest.mark.anyio


async def test_an_unhandled_error_is_a_500_without_details(
    client, caplog
):
    async def broken_session():
        raise RuntimeError("the database exploded")
        yield  # a generator, as get_session is

    app.dependency_overrides[get_session] = broken_session
    response = await client.get(
        "/items", headers={"Origin": "http://localhost:3000"}
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    # With the CORS header, a browser shows the page this 500, not a CORS
    # error.
    assert (
        response.headers["access-control-allow-origin"]
        == "http://localhost:3000"
    )
    # The details go to the log, once, with the traceback: not to the
    # client.
    errors = [
        record
        for record in caplog.records
        if record.levelno == logging.ERROR
    ]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert "the database exploded" in caplog.text
    assert "exploded" not in response.text


async def test_one_log_line_per_request(client, caplog):
    caplog.set_level(logging.INFO, logger="app.main")
    await client.get("/items?limit=5")
    lines = [
        record.getMessage()
        for record in caplog.records
        if record.name == "app.main"
    ]
    assert len(lines) == 1
    method, path, status, duration, unit = lines[0].split()
    assert (method, path, status, unit) == ("GET", "/items", "200", "ms")
    assert float(duration) >= 0
