"""Items: create, read, list, change and delete, and what the API
refuses."""

from datetime import UTC, datetime, timedelta

import pytest

pytestmark = pytest.mark.anyio

MUG = {"name": "Coffee mug", "description": "Blue, 300 ml", "price": 9.5}


async def test_create_item(client, auth_headers, user):
    response = await client.post("/items", json=MUG, headers=auth_headers)
    assert response.status_code == 201
    item = response.json()
    assert item == MUG | {
        "id": item["id"],
        "status": "draft",
        "owner_id": user["id"],
        "created_at": item["created_at"],
    }
    assert isinstance(item["id"], int)
    created_at = datetime.fromisoformat(item["created_at"])
    assert created_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - created_at) < timedelta(minutes=1)


async def test_create_item_without_description(client, auth_headers):
    body = {"name": "Kettle", "price": 20, "status": "published"}
    response = await client.post(
        "/items", json=body, headers=auth_headers
    )
    assert response.status_code == 201
    assert response.json()["description"] is None
    assert response.json()["status"] == "published"


async def test_read_item(client, item):
    response = await client.get(f"/items/{item['id']}")
    assert response.status_code == 200
    assert response.json() == item


async def test_read_missing_item(client, item):
    response = await client.get("/items/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "Item not found"}


@pytest.mark.parametrize("item_id", ["abc", "0", "-1", "1.5", str(2**31)])
async def test_read_item_with_an_impossible_id(client, item_id):
    response = await client.get(f"/items/{item_id}")
    assert response.status_code == 422


async def test_list_is_empty_at_first(client):
    response = await client.get("/items")
    assert response.status_code == 200
    assert response.json() == []


async def test_list_is_ordered_by_id(client, auth_headers):
    # Names and prices in neither alphabetical nor numeric order: only the
    # id can explain the order the list comes back in.
    for name, price in [
        ("Teapot", 30),
        ("Coffee mug", 9.5),
        ("Kettle", 20),
    ]:
        body = {"name": name, "price": price}
        await client.post("/items", json=body, headers=auth_headers)
    response = await client.get("/items")
    assert response.status_code == 200
    items = response.json()
    names = [item["name"] for item in items]
    assert names == ["Teapot", "Coffee mug", "Kettle"]
    ids = [item["id"] for item in items]
    assert ids == sorted(ids)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("", ["item 1", "item 2", "item 3", "item 4", "item 5"]),
        ("?limit=2", ["item 1", "item 2"]),
        ("?skip=1&limit=2", ["item 2", "item 3"]),
        ("?skip=3", ["item 4", "item 5"]),
        ("?skip=5", []),
        (
            "?limit=100",
            ["item 1", "item 2", "item 3", "item 4", "item 5"],
        ),
    ],
)
async def test_pagination(client, auth_headers, query, names):
    for number in range(1, 6):
        body = {"name": f"item {number}", "price": number}
        await client.post("/items", json=body, headers=auth_headers)
    response = await client.get(f"/items{query}")
    assert response.status_code == 200
    assert [item["name"] for item in response.json()] == names


OUT_OF_RANGE = [
    "?skip=-1",
    "?skip=1.5",
    f"?skip={2**31}",  # more than the database's integers hold
    "?limit=0",
    "?limit=101",
    "?limit=abc",
]


@pytest.mark.parametrize("query", OUT_OF_RANGE)
async def test_pagination_out_of_range(client, query):
    response = await client.get(f"/items{query}")
    assert response.status_code == 422


INVALID = {
    "no name": {"price": 1},
    "empty name": {"name": "", "price": 1},
    "name of 101 characters": {"name": "x" * 101, "price": 1},
    "description of 501 characters": {
        "name": "a",
        "price": 1,
        "description": "x" * 501,
    },
    "no price": {"name": "a"},
    "price zero": {"name": "a", "price": 0},
    "negative price": {"name": "a", "price": -1},
    "price not a number": {"name": "a", "price": "cheap"},
    "unknown status": {"name": "a", "price": 1, "status": "deleted"},
    "null name": {"name": None, "price": 1},
}


@pytest.mark.parametrize("body", INVALID.values(), ids=INVALID.keys())
async def test_invalid_item_is_refused(client, auth_headers, body):
    response = await client.post(
        "/items", json=body, headers=auth_headers
    )
    assert response.status_code == 422
    # and nothing was stored
    assert (await client.get("/items")).json() == []


@pytest.mark.parametrize(
    "price", ["NaN", "Infinity", "-Infinity", "1e400"]
)
async def test_price_must_be_a_finite_number(client, auth_headers, price):
    # httpx won't write NaN into JSON, but the app's JSON parser reads it:
    # send the text as it is.
    body = f'{{"name": "Mug", "price": {price}}}'
    headers = auth_headers | {"Content-Type": "application/json"}
    response = await client.post("/items", content=body, headers=headers)
    assert response.status_code == 422
    assert (await client.get("/items")).json() == []


async def test_longest_name_and_description_fit(client, auth_headers):
    body = {"name": "x" * 100, "description": "y" * 500, "price": 0.01}
    response = await client.post(
        "/items", json=body, headers=auth_headers
    )
    assert response.status_code == 201
    assert response.json()["name"] == "x" * 100


async def test_update_changes_only_what_was_sent(
    client, item, auth_headers
):
    url = f"/items/{item['id']}"
    change = {"price": 12.5}
    response = await client.patch(url, json=change, headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == item | change
    # and the change was stored
    assert (await client.get(url)).json() == item | change


async def test_update_every_field(client, item, auth_headers):
    change = {
        "name": "Tea mug",
        "description": "Green",
        "price": 11,
        "status": "published",
    }
    url = f"/items/{item['id']}"
    response = await client.patch(url, json=change, headers=auth_headers)
    assert response.status_code == 200
    assert response.json() == item | change
    assert (await client.get(url)).json() == item | change


async def test_update_can_clear_the_description(
    client, item, auth_headers
):
    url = f"/items/{item['id']}"
    change = {"description": None}
    response = await client.patch(url, json=change, headers=auth_headers)
    assert response.status_code == 200
    assert (await client.get(url)).json() == item | change


@pytest.mark.parametrize(
    "change",
    [
        {"name": None},
        {"price": None},
        {"status": None},
        {"name": ""},
        {"price": 0},
        {"status": "deleted"},
        {"description": "x" * 501},
    ],
    ids=str,
)
async def test_invalid_update_is_refused(
    client, item, auth_headers, change
):
    url = f"/items/{item['id']}"
    response = await client.patch(url, json=change, headers=auth_headers)
    assert response.status_code == 422
    assert (await client.get(url)).json() == item


async def test_delete_item(client, item, auth_headers):
    url = f"/items/{item['id']}"
    response = await client.delete(url, headers=auth_headers)
    assert response.status_code == 204
    assert response.content == b""
    assert (await client.get(url)).status_code == 404
    # Deleting it again: it is gone.
    assert (
        await client.delete(url, headers=auth_headers)
    ).status_code == 404


async def test_delete_leaves_the_other_items(client, item, auth_headers):
    body = {"name": "Kettle", "price": 20}
    response = await client.post(
        "/items", json=body, headers=auth_headers
    )
    kettle = response.json()
    await client.delete(f"/items/{item['id']}", headers=auth_headers)
    assert (await client.get("/items")).json() == [kettle]
