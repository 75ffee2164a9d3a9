"""Ownership: who may create, change and delete items (401, 403, 404)."""

import pytest

pytestmark = pytest.mark.anyio

MISSING = 999


async def test_create_needs_a_token(client):
    response = await client.post(
        "/items", json={"name": "Mug", "price": 3}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert (await client.get("/items")).json() == []


async def test_the_owner_is_the_caller(
    client, item, other_user, other_headers
):
    # Grace sends Ada's id as the owner: the owner comes from the token.
    body = {"name": "Kettle", "price": 20, "owner_id": item["owner_id"]}
    response = await client.post(
        "/items", json=body, headers=other_headers
    )
    assert response.status_code == 201
    assert response.json()["owner_id"] == other_user["id"]


async def test_update_cannot_move_the_item(
    client, item, other_user, auth_headers
):
    url = f"/items/{item['id']}"
    change = {"owner_id": other_user["id"]}
    await client.patch(url, json=change, headers=auth_headers)
    assert (await client.get(url)).json()["owner_id"] == item["owner_id"]


async def test_reading_is_public(client, item):
    assert (await client.get("/items")).json() == [item]
    assert (await client.get(f"/items/{item['id']}")).json() == item


@pytest.fixture
def callers(auth_headers, other_headers) -> dict[str, dict[str, str]]:
    """The headers each caller sends: no token, a bad one, Grace's,
    Ada's."""
    return {
        "nobody": {},
        "bad token": {"Authorization": "Bearer not-a-token"},
        "grace": other_headers,
        "ada": auth_headers,
    }


@pytest.mark.parametrize(
    ("method", "body"),
    [("PATCH", {"price": 1}), ("DELETE", None)],
    ids=["PATCH", "DELETE"],
)
@pytest.mark.parametrize(
    ("caller", "target", "expected"),
    [
        ("nobody", "ada's item", 401),
        ("nobody", "missing item", 401),
        ("bad token", "ada's item", 401),
        ("bad token", "missing item", 401),
        ("grace", "ada's item", 403),
        ("grace", "missing item", 404),
        ("ada", "missing item", 404),
    ],
)
async def test_who_may_change_an_item(
    client, item, callers, method, body, caller, target, expected
):
    item_id = item["id"] if target == "ada's item" else MISSING
    url = f"/items/{item_id}"
    headers = callers[caller]
    response = await client.request(
        method, url, json=body, headers=headers
    )
    assert response.status_code == expected
    # Whatever the answer, Ada's item is as it was.
    assert (await client.get(f"/items/{item['id']}")).json() == item


@pytest.mark.parametrize(
    ("method", "body", "expected"),
    [("PATCH", {"price": 1}, 200), ("DELETE", None, 204)],
    ids=["PATCH", "DELETE"],
)
async def test_the_owner_may(
    client, item, auth_headers, method, body, expected
):
    url = f"/items/{item['id']}"
    response = await client.request(
        method, url, json=body, headers=auth_headers
    )
    assert response.status_code == expected


async def test_forbidden_says_why(client, item, other_headers):
    url = f"/items/{item['id']}"
    change = {"price": 1}
    response = await client.patch(url, json=change, headers=other_headers)
    assert response.json() == {"detail": "Not enough permissions"}
