"""Step 03 on: items can be created, listed, read, partly updated and
deleted."""

from datetime import UTC, datetime, timedelta

import pytest

from .helpers import expect_status

NEW_ITEM = {
    "name": "Coffee mug",
    "description": "Holds 350 ml",
    "price": 9.5,
}


@pytest.fixture
def create(client, auth_headers):
    """create(**fields) -> the created item's JSON, after checking the
    201."""

    async def create(**fields):
        response = await client.post(
            "/items", json=NEW_ITEM | fields, headers=auth_headers
        )
        return expect_status(response, 201).json()

    return create


@pytest.mark.steps("03+")
async def test_create_item_answers_201_with_id_and_created_at(
    client, auth_headers
):
    """POST /items answers 201 with the item, a new id and created_at;
    status defaults to draft."""
    before = datetime.now(UTC)
    response = expect_status(
        await client.post("/items", json=NEW_ITEM, headers=auth_headers),
        201,
    )
    item = response.json()
    assert {k: item.get(k) for k in NEW_ITEM} == NEW_ITEM, (
        "the fields sent come back unchanged"
    )
    assert item["status"] == "draft", "status defaults to draft"
    assert isinstance(item["id"], int), "id is an integer"
    created_at = datetime.fromisoformat(item["created_at"])
    assert created_at.utcoffset() == timedelta(0), (
        "created_at must be UTC with an offset (…Z or …+00:00), got "
        f"{item['created_at']!r}"
    )
    assert (
        before - timedelta(seconds=5)
        <= created_at
        <= datetime.now(UTC) + timedelta(seconds=5)
    )


@pytest.mark.steps("03+")
@pytest.mark.parametrize("status", ["draft", "published", "archived"])
async def test_create_item_with_each_status(create, status):
    """POST /items accepts status draft, published and archived."""
    assert (await create(status=status))["status"] == status


@pytest.mark.steps("03+")
async def test_create_item_with_unknown_status_is_422(
    client, auth_headers
):
    """POST /items with status "sold" answers 422."""
    body = NEW_ITEM | {"status": "sold"}
    response = expect_status(
        await client.post("/items", json=body, headers=auth_headers), 422
    )
    assert ["body", "status"] in [
        e["loc"] for e in response.json()["detail"]
    ]


@pytest.mark.steps("03+")
async def test_each_item_gets_its_own_id(create):
    """Two created items get two different ids."""
    first, second = (
        await create(name="first"),
        await create(name="second"),
    )
    assert first["id"] != second["id"]


@pytest.mark.steps("03+")
async def test_a_new_app_starts_with_no_items(client):
    """GET /items on a fresh app answers 200 with an empty list (no state
    shared between tests)."""
    response = expect_status(await client.get("/items"), 200)
    assert response.json() == []


@pytest.mark.steps("03+")
async def test_list_items_in_id_order(client, create):
    """GET /items answers every item, ordered by id."""
    created = [await create(name=f"item {n}") for n in range(3)]
    listed = expect_status(await client.get("/items"), 200).json()
    assert [i["id"] for i in listed] == sorted(i["id"] for i in created)
    assert listed == sorted(created, key=lambda i: i["id"]), (
        "list items look like created items"
    )


@pytest.mark.steps("03+")
async def test_list_items_skip_and_limit(client, create):
    """GET /items?skip=1&limit=2 answers the 2nd and 3rd items."""
    created = [await create(name=f"item {n}") for n in range(5)]
    listed = expect_status(
        await client.get("/items", params={"skip": 1, "limit": 2}), 200
    ).json()
    assert [i["id"] for i in listed] == [i["id"] for i in created[1:3]]


@pytest.mark.steps("03+")
async def test_list_items_returns_at_most_100_by_default(client, create):
    """GET /items without limit answers at most 100 items, and limit=100
    is allowed."""
    for n in range(101):
        await create(name=f"item {n}")
    default = expect_status(await client.get("/items"), 200).json()
    assert len(default) == 100, "limit defaults to 100"
    expect_status(await client.get("/items", params={"limit": 100}), 200)
    rest = expect_status(
        await client.get("/items", params={"skip": 100}), 200
    ).json()
    assert len(rest) == 1


@pytest.mark.steps("03+")
@pytest.mark.parametrize(
    "params",
    [
        pytest.param({"skip": -1}, id="negative-skip"),
        pytest.param({"limit": 0}, id="limit-zero"),
        pytest.param({"limit": 101}, id="limit-over-100"),
        pytest.param({"limit": "ten"}, id="limit-not-a-number"),
    ],
)
async def test_list_items_with_bad_paging_is_422(client, params):
    """GET /items answers 422 for skip < 0 or a limit outside 1..100."""
    expect_status(await client.get("/items", params=params), 422)


@pytest.mark.steps("03+")
async def test_read_item(client, create):
    """GET /items/{id} answers 200 with the item as it was created."""
    item = await create()
    response = expect_status(
        await client.get(f"/items/{item['id']}"), 200
    )
    assert response.json() == item


@pytest.mark.steps("03+")
async def test_read_missing_item_is_404(client):
    """GET /items/999 answers 404 {"detail": "Item not found"}."""
    response = expect_status(await client.get("/items/999"), 404)
    assert response.json() == {"detail": "Item not found"}


@pytest.mark.steps("03+")
async def test_partial_update_changes_only_the_fields_sent(
    client, auth_headers, create
):
    """PATCH /items/{id} with {"price": 12} changes the price and keeps
    every other field."""
    item = await create(status="published")
    response = await client.patch(
        f"/items/{item['id']}", json={"price": 12}, headers=auth_headers
    )
    updated = expect_status(response, 200).json()
    assert updated == item | {"price": 12}, "only price may change"
    stored = expect_status(
        await client.get(f"/items/{item['id']}"), 200
    ).json()
    assert stored == updated, "the change is stored, not only returned"


@pytest.mark.steps("03+")
async def test_update_can_change_every_field(
    client, auth_headers, create
):
    """PATCH /items/{id} can change name, description, price and status
    together."""
    item = await create()
    change = {
        "name": "Tea cup",
        "description": "Smaller",
        "price": 4.25,
        "status": "archived",
    }
    response = await client.patch(
        f"/items/{item['id']}", json=change, headers=auth_headers
    )
    assert expect_status(response, 200).json() == item | change


@pytest.mark.steps("03+")
async def test_update_can_clear_the_description(
    client, auth_headers, create
):
    """PATCH /items/{id} with {"description": null} clears the optional
    description."""
    item = await create()
    response = await client.patch(
        f"/items/{item['id']}",
        json={"description": None},
        headers=auth_headers,
    )
    assert expect_status(response, 200).json()["description"] is None


@pytest.mark.steps("03+")
async def test_empty_update_changes_nothing(client, auth_headers, create):
    """PATCH /items/{id} with {} answers 200 and the item unchanged."""
    item = await create()
    response = await client.patch(
        f"/items/{item['id']}", json={}, headers=auth_headers
    )
    assert expect_status(response, 200).json() == item


@pytest.mark.steps("03+")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"name": None}, "name", id="name-null"),
        pytest.param({"price": None}, "price", id="price-null"),
        pytest.param({"status": None}, "status", id="status-null"),
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param(
            {"name": "x" * 101}, "name", id="name-over-100-characters"
        ),
        pytest.param(
            {"description": "d" * 501},
            "description",
            id="description-over-500",
        ),
        pytest.param({"price": 0}, "price", id="price-zero"),
        pytest.param({"price": -5}, "price", id="price-negative"),
        pytest.param({"status": "sold"}, "status", id="unknown-status"),
    ],
)
async def test_invalid_update_is_422_and_changes_nothing(
    client, auth_headers, create, change, field
):
    """PATCH /items/{id} answers 422 for a broken rule or a null required
    field; nothing changes."""
    item = await create()
    response = await client.patch(
        f"/items/{item['id']}", json=change, headers=auth_headers
    )
    expect_status(response, 422)
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", field] in locations, (
        f"the 422 should point at body.{field}, got {locations}"
    )
    stored = expect_status(
        await client.get(f"/items/{item['id']}"), 200
    ).json()
    assert stored == item, (
        "a rejected update must leave the item as it was"
    )


@pytest.mark.steps("03+")
async def test_update_missing_item_is_404(client, auth_headers):
    """PATCH /items/999 answers 404 {"detail": "Item not found"}."""
    response = await client.patch(
        "/items/999", json={"price": 1}, headers=auth_headers
    )
    assert expect_status(response, 404).json() == {
        "detail": "Item not found"
    }


@pytest.mark.steps("03+")
async def test_delete_item_answers_204_with_empty_body(
    client, auth_headers, create
):
    """DELETE /items/{id} answers 204 with no body, and the item is
    gone."""
    item = await create()
    response = expect_status(
        await client.delete(f"/items/{item['id']}", headers=auth_headers),
        204,
    )
    assert response.content == b"", "a 204 has an empty body"
    expect_status(await client.get(f"/items/{item['id']}"), 404)
    listed = expect_status(await client.get("/items"), 200).json()
    assert item["id"] not in [i["id"] for i in listed]


@pytest.mark.steps("03+")
async def test_delete_missing_item_is_404(client, auth_headers):
    """DELETE /items/999 answers 404 {"detail": "Item not found"}."""
    response = await client.delete("/items/999", headers=auth_headers)
    assert expect_status(response, 404).json() == {
        "detail": "Item not found"
    }


@pytest.mark.steps("03+")
async def test_delete_twice_is_404_the_second_time(
    client, auth_headers, create
):
    """Deleting the same item twice answers 204, then 404."""
    item = await create()
    expect_status(
        await client.delete(f"/items/{item['id']}", headers=auth_headers),
        204,
    )
    expect_status(
        await client.delete(f"/items/{item['id']}", headers=auth_headers),
        404,
    )


@pytest.mark.steps("03+")
async def test_update_with_price_json_cannot_write_is_422(
    client, auth_headers, create
):
    """PATCH /items/{id} with price Infinity answers 422 and leaves the
    item unchanged."""
    item = await create()
    headers = auth_headers | {"Content-Type": "application/json"}
    response = await client.patch(
        f"/items/{item['id']}",
        content=b'{"price": Infinity}',
        headers=headers,
    )
    expect_status(response, 422)
    assert (
        expect_status(
            await client.get(f"/items/{item['id']}"), 200
        ).json()
        == item
    )
