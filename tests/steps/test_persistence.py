"""Step 04 on: items live in the database named by DATABASE_URL."""

import sqlite3
from contextlib import closing

import pytest

from .helpers import at_once, expect_status

NEW_ITEM = {
    "name": "Coffee mug",
    "description": "Holds 350 ml",
    "price": 9.5,
}


@pytest.mark.steps("04+")
async def test_items_survive_a_restart(serve, auth_headers_for):
    """An item created before the server restarts is still there,
    unchanged, after it."""
    async with serve() as client:
        headers = await auth_headers_for(client)
        response = await client.post(
            "/items", json=NEW_ITEM, headers=headers
        )
        created = expect_status(response, 201).json()
    async with serve() as client:
        response = expect_status(
            await client.get(f"/items/{created['id']}"), 200
        )
        assert response.json() == created, (
            "the item read back after a restart must be the same"
        )
        assert expect_status(await client.get("/items"), 200).json() == [
            created
        ]


@pytest.mark.steps("04+")
async def test_database_url_is_honoured(
    serve, auth_headers_for, app_under_test, tmp_path
):
    """Two servers with different DATABASE_URLs don't see each other's
    items."""
    other = app_under_test.new_database("other.db")
    async with serve() as client:
        headers = await auth_headers_for(client)
        expect_status(
            await client.post("/items", json=NEW_ITEM, headers=headers),
            201,
        )
    async with serve(DATABASE_URL=other) as client:
        listed = expect_status(await client.get("/items"), 200).json()
        assert listed == [], (
            f"a new DATABASE_URL must start empty, got {listed}"
        )
    assert (tmp_path / "other.db").exists(), (
        "the app must create the database DATABASE_URL names"
    )


# From 11, Alembic makes them (test_deployment.py)
@pytest.mark.steps("04-10")
async def test_tables_are_created_at_startup_not_at_import(
    app_under_test, tmp_path
):
    """Importing app.main creates no tables; starting the server (the
    lifespan) does."""
    app_under_test.load()
    database = tmp_path / "test.db"
    if database.exists():
        with closing(sqlite3.connect(database)) as connection:
            tables = connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table'"
            )
            assert tables.fetchall() == [], (
                "tables must be created in the lifespan, not on import"
            )
    async with app_under_test.serve() as client:
        expect_status(await client.get("/items"), 200)
    with closing(sqlite3.connect(database)) as connection:
        tables = connection.execute(
            "SELECT name FROM sqlite_master WHERE type='table'"
        ).fetchall()
    assert tables, "after startup the database must hold the app's tables"


@pytest.mark.steps("04+")
async def test_concurrent_creates_get_distinct_ids(client, auth_headers):
    """50 concurrent POST /items all succeed and give 50 rows with 50
    distinct ids."""
    responses = await at_once(
        *(
            client.post(
                "/items",
                json=NEW_ITEM | {"name": f"item {n}"},
                headers=auth_headers,
            )
            for n in range(50)
        )
    )
    ids = [
        expect_status(response, 201).json()["id"]
        for response in responses
    ]
    assert len(set(ids)) == 50, "every item needs its own id"
    listed = expect_status(await client.get("/items"), 200).json()
    assert sorted(item["id"] for item in listed) == sorted(ids)


@pytest.mark.steps("04+")
@pytest.mark.parametrize("item_id", ["0", "-1", "9" * 30, "-" + "9" * 30])
async def test_ids_no_database_can_hold_are_a_clear_4xx(
    client, auth_headers, item_id
):
    """GET, PATCH and DELETE /items/{id} with an id like 0, -1 or 10**30
    answer 404 or 422."""
    for method in ("GET", "PATCH", "DELETE"):
        body = {"price": 1} if method == "PATCH" else None
        response = await client.request(
            method, f"/items/{item_id}", json=body, headers=auth_headers
        )
        assert response.status_code in (404, 422), (
            f"{method} /items/{item_id} must be refused with a 4xx; got "
            f"{response.status_code}"
        )


@pytest.mark.steps("04+")
async def test_skip_no_database_can_hold_is_not_a_500(client):
    """GET /items?skip=<a 30-digit number> answers 422 (or an empty 200),
    never a 500."""
    response = await client.get("/items", params={"skip": "9" * 30})
    if response.status_code != 422:
        assert expect_status(response, 200).json() == [], (
            "nothing can be that far down the list"
        )
