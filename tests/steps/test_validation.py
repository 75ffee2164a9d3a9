"""Step 02: path and query parameters, and a request body checked by
Pydantic."""

import pytest

from .helpers import expect_status

VALID_ITEM = {
    "name": "Coffee mug",
    "description": "Holds 350 ml",
    "price": 9.5,
}


@pytest.mark.steps("02")
async def test_path_and_query_parameters_are_echoed(client):
    """GET /items/42?q=mug answers {"item_id": 42, "q": "mug"}, the id as
    an integer."""
    response = expect_status(
        await client.get("/items/42", params={"q": "mug"}), 200
    )
    assert response.json() == {"item_id": 42, "q": "mug"}


@pytest.mark.steps("02")
async def test_query_parameter_is_optional(client):
    """GET /items/7 without ?q answers {"item_id": 7, "q": null}."""
    response = expect_status(await client.get("/items/7"), 200)
    assert response.json() == {"item_id": 7, "q": None}


@pytest.mark.steps("02+")
async def test_non_integer_item_id_is_422(client):
    """GET /items/abc answers 422: the path parameter must be an
    integer."""
    response = expect_status(await client.get("/items/abc"), 422)
    assert response.json()["detail"][0]["loc"] == ["path", "item_id"]


@pytest.mark.steps("02")
async def test_valid_item_is_echoed_back(client):
    """POST /items with a valid body answers 200 with the validated
    item."""
    response = expect_status(
        await client.post("/items", json=VALID_ITEM), 200
    )
    assert response.json() == VALID_ITEM


@pytest.mark.steps("02")
async def test_description_is_optional(client):
    """POST /items without a description answers 200 with "description":
    null."""
    body = {"name": "Mug", "price": 3}
    response = expect_status(await client.post("/items", json=body), 200)
    assert response.json() == {
        "name": "Mug",
        "description": None,
        "price": 3,
    }


@pytest.mark.steps("02+")
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"name": "x" * 100}, id="name-of-100-characters"),
        pytest.param({"name": "x"}, id="name-of-1-character"),
        pytest.param(
            {"description": "d" * 500}, id="description-of-500-characters"
        ),
        pytest.param({"description": None}, id="description-null"),
        pytest.param({"price": 0.01}, id="price-just-above-zero"),
    ],
)
async def test_values_at_the_limits_are_accepted(
    client, auth_headers, change
):
    """POST /items accepts the limits themselves (100-character name,
    500-character description)."""
    response = await client.post(
        "/items", json=VALID_ITEM | change, headers=auth_headers
    )
    assert response.status_code in (200, 201), (
        f"{change} is valid, but got {response.status_code}"
    )


@pytest.mark.steps("02+")
@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"name": ""}, "name", id="empty-name"),
        pytest.param(
            {"name": "x" * 101}, "name", id="name-over-100-characters"
        ),
        pytest.param({"name": None}, "name", id="name-null"),
        pytest.param(
            {"description": "d" * 501},
            "description",
            id="description-over-500",
        ),
        pytest.param({"price": 0}, "price", id="price-zero"),
        pytest.param({"price": -1}, "price", id="price-negative"),
        pytest.param(
            {"price": "cheap"}, "price", id="price-not-a-number"
        ),
    ],
)
async def test_invalid_item_is_422(client, auth_headers, change, field):
    """POST /items answers 422 naming the field when a constraint is
    broken."""
    response = await client.post(
        "/items", json=VALID_ITEM | change, headers=auth_headers
    )
    expect_status(response, 422)
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", field] in locations, (
        f"the 422 should point at body.{field}, got {locations}"
    )


@pytest.mark.steps("02+")
@pytest.mark.parametrize("field", ["name", "price"])
async def test_missing_required_field_is_422(client, auth_headers, field):
    """POST /items without name or without price answers 422 "Field
    required"."""
    body = {
        key: value for key, value in VALID_ITEM.items() if key != field
    }
    response = expect_status(
        await client.post("/items", json=body, headers=auth_headers), 422
    )
    errors = response.json()["detail"]
    assert any(
        e["loc"] == ["body", field] and e["type"] == "missing"
        for e in errors
    ), errors


@pytest.mark.steps("02+")
async def test_body_that_is_not_json_is_422(client, auth_headers):
    """POST /items with a body that is not JSON answers 422, never a
    500."""
    headers = auth_headers | {"Content-Type": "application/json"}
    response = await client.post(
        "/items", content=b"{not json", headers=headers
    )
    expect_status(response, 422)


@pytest.mark.steps("02+")
@pytest.mark.parametrize(
    "price", ["NaN", "Infinity", "-Infinity", "1e400"]
)
async def test_price_that_json_cannot_write_is_422(
    client, auth_headers, price
):
    """POST /items with price NaN, Infinity or 1e400 answers 422 (not a
    500, not a stored null)."""
    # Not valid JSON, but Python's json module reads these as float("nan")
    # / float("inf").
    body = f'{{"name": "Mug", "price": {price}}}'.encode()
    headers = auth_headers | {"Content-Type": "application/json"}
    response = expect_status(
        await client.post("/items", content=body, headers=headers), 422
    )
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "price"] in locations, (
        f"the 422 should point at body.price, got {locations}"
    )


@pytest.mark.steps("02+")
@pytest.mark.parametrize("field", ["name", "description"])
async def test_text_with_a_lone_surrogate_is_422(
    client, auth_headers, field
):
    """POST /items with a name or description holding a lone surrogate
    ("\\ud800") answers 422."""
    # Valid JSON syntax, but not valid Unicode text: Pydantic rejects it,
    # and the 422 that echoes it back must still be writable.
    body = (
        f'{{"name": "Mug", "price": 3, "{field}": "a\\ud800b"}}'.encode()
    )
    headers = auth_headers | {"Content-Type": "application/json"}
    response = expect_status(
        await client.post("/items", content=body, headers=headers), 422
    )
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", field] in locations, (
        f"the 422 should point at body.{field}, got {locations}"
    )
