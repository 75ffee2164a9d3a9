"""Step 08 on: items belong to the user who created them; only the owner
changes them.

PATCH and DELETE answer, in this order: 401 without a valid token, 404 if
the item doesn't exist, 403 if it belongs to someone else. Reading stays
public.
"""

import time

import pytest

from .helpers import describe, expect_status, make_token

NEW_ITEM = {
    "name": "Coffee mug",
    "description": "Holds 350 ml",
    "price": 9.5,
}
WRONG_SECRET_KEY = (
    "not-the-server-secret-key-but-just-as-long-0a1b2c3d4e5f6a7b8c9d"
)
MISSING = 999999


@pytest.fixture
async def alice(client, auth_headers_for):
    """Alice, logged in: {"id", "email", "headers"}."""
    return await logged_in(client, auth_headers_for, "alice@example.com")


@pytest.fixture
async def bob(client, auth_headers_for):
    """Bob, logged in: {"id", "email", "headers"}."""
    return await logged_in(client, auth_headers_for, "bob@example.com")


async def logged_in(client, auth_headers_for, email):
    headers = await auth_headers_for(client, email)
    me = expect_status(
        await client.get("/auth/me", headers=headers), 200
    ).json()
    return me | {"headers": headers}


async def create(client, user, **fields):
    response = await client.post(
        "/items", json=NEW_ITEM | fields, headers=user["headers"]
    )
    return expect_status(response, 201).json()


def expect_unauthorized(response):
    expect_status(response, 401)
    assert (
        response.headers.get("www-authenticate", "").split(" ")[0]
        == "Bearer"
    ), "a 401 must carry WWW-Authenticate: Bearer"


def forged_headers(user):
    """A token for `user` signed with the wrong key."""
    now = int(time.time())
    claims = {"sub": str(user["id"]), "iat": now, "exp": now + 600}
    return {
        "Authorization": f"Bearer {make_token(claims, WRONG_SECRET_KEY)}"
    }


@pytest.mark.steps("08+")
async def test_create_item_without_token_is_401_and_creates_nothing(
    client,
):
    """POST /items without a token answers 401 with WWW-Authenticate:
    Bearer, and stores nothing."""
    expect_unauthorized(await client.post("/items", json=NEW_ITEM))
    assert expect_status(await client.get("/items"), 200).json() == [], (
        "nothing may be stored"
    )


@pytest.mark.steps("08+")
async def test_create_item_with_a_bad_token_is_401_and_creates_nothing(
    client, alice
):
    """POST /items with a token signed by another key answers 401, and
    stores nothing."""
    expect_unauthorized(
        await client.post(
            "/items", json=NEW_ITEM, headers=forged_headers(alice)
        )
    )
    assert expect_status(await client.get("/items"), 200).json() == [], (
        "nothing may be stored"
    )


@pytest.mark.steps("08+")
async def test_created_item_belongs_to_the_caller(client, alice, bob):
    """An item created with a user's token has owner_id = that user's id,
    in every answer."""
    alices, bobs = await create(client, alice), await create(client, bob)
    assert alices["owner_id"] == alice["id"], (
        "owner_id must be the id of the token's user"
    )
    assert bobs["owner_id"] == bob["id"], (
        "owner_id must be the id of the token's user"
    )
    read = expect_status(
        await client.get(f"/items/{alices['id']}"), 200
    ).json()
    assert read == alices, "GET /items/{id} shows owner_id too"


@pytest.mark.steps("08+")
async def test_reading_items_stays_public(client, alice, bob):
    """GET /items and GET /items/{id} need no token and show every user's
    items."""
    alices, bobs = await create(client, alice), await create(client, bob)
    listed = expect_status(await client.get("/items"), 200).json()
    assert listed == [alices, bobs], (
        "the list shows everyone's items, to anyone"
    )
    for item in (alices, bobs):
        assert (
            expect_status(
                await client.get(f"/items/{item['id']}"), 200
            ).json()
            == item
        )


@pytest.mark.steps("08+")
async def test_owner_id_in_the_body_cannot_choose_the_owner(
    client, alice, bob
):
    """POST /items with "owner_id" of another user still makes the caller
    the owner."""
    response = await client.post(
        "/items",
        json=NEW_ITEM | {"owner_id": bob["id"]},
        headers=alice["headers"],
    )
    assert response.status_code in (201, 422), (
        "expected 201 (owner_id ignored) or 422, but "
        f"{describe(response)}"
    )
    listed = expect_status(await client.get("/items"), 200).json()
    assert all(item["owner_id"] == alice["id"] for item in listed), (
        "owner_id must come from the token, never from the body: "
        f"{listed}"
    )


@pytest.mark.steps("08+")
async def test_owner_id_in_an_update_cannot_move_the_item(
    client, alice, bob
):
    """PATCH /items/{id} with "owner_id" of another user leaves the owner
    as it was."""
    item = await create(client, alice)
    response = await client.patch(
        f"/items/{item['id']}",
        json={"owner_id": bob["id"]},
        headers=alice["headers"],
    )
    assert response.status_code in (200, 422), (
        "expected 200 (owner_id ignored) or 422, but "
        f"{describe(response)}"
    )
    stored = expect_status(
        await client.get(f"/items/{item['id']}"), 200
    ).json()
    assert stored["owner_id"] == alice["id"], (
        "an update must never change owner_id"
    )
    response = await client.patch(
        f"/items/{item['id']}", json={"price": 1}, headers=bob["headers"]
    )
    expect_status(response, 403)


# Who asks, about which item, and what PATCH and DELETE must answer.
MATRIX = [
    pytest.param("nobody", "alice's", 401, id="no-token-existing-item"),
    pytest.param(
        "nobody",
        "missing",
        401,
        id="no-token-missing-item-401-before-404",
    ),
    pytest.param("forged", "alice's", 401, id="bad-token-existing-item"),
    pytest.param(
        "forged",
        "missing",
        401,
        id="bad-token-missing-item-401-before-404",
    ),
    pytest.param("bob", "missing", 404, id="other-user-missing-item"),
    pytest.param("bob", "alice's", 403, id="other-user-not-the-owner"),
    pytest.param("alice", "missing", 404, id="owner-missing-item"),
    pytest.param(
        "alice", "bob's", 403, id="owner-of-another-item-not-this-one"
    ),
    pytest.param("alice", "alice's", None, id="owner-own-item"),
]


@pytest.mark.steps("08+")
@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
@pytest.mark.parametrize(("who", "which", "expected"), MATRIX)
async def test_who_may_change_an_item(
    client, alice, bob, method, who, which, expected
):
    """PATCH/DELETE /items/{id}: 401 without a valid token, then 404 if
    missing, then 403."""
    items = {
        "alice's": await create(client, alice),
        "bob's": await create(client, bob),
    }
    item_id = items[which]["id"] if which in items else MISSING
    headers = {
        "nobody": {},
        "forged": forged_headers(alice),
        "alice": alice["headers"],
        "bob": bob["headers"],
    }[who]
    body = {"json": {"price": 12.5}} if method == "PATCH" else {}
    response = await client.request(
        method, f"/items/{item_id}", headers=headers, **body
    )

    if expected is None:  # the owner: the change happens
        expect_status(response, 200 if method == "PATCH" else 204)
        after = await client.get(f"/items/{item_id}")
        if method == "PATCH":
            assert expect_status(after, 200).json() == items[which] | {
                "price": 12.5
            }
        else:
            expect_status(after, 404)
        return
    if expected == 401:
        expect_unauthorized(response)
    else:
        expect_status(response, expected)
    if expected == 403:
        assert response.json() == {"detail": "Not enough permissions"}
    if expected == 404:
        assert response.json() == {"detail": "Item not found"}
    listed = expect_status(await client.get("/items"), 200).json()
    assert listed == list(items.values()), (
        f"a refused {method} must leave every item as it was"
    )
