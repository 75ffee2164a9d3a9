"""The 422 answers docs/troubleshooting.md shows are the ones FastAPI really gives."""

import httpx
import pytest

from .validation_422 import app, app_with_handler

pytestmark = pytest.mark.anyio


async def post(application, **request) -> httpx.Response:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.post("/items", **request)


async def test_422_detail_lists_every_problem():
    """The default 422: `detail` is a list, one entry per problem, with loc, msg and input."""
    response = await post(app, json={"name": "", "price": -1})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert [(e["type"], e["loc"], e["msg"], e["input"]) for e in detail] == [
        ("string_too_short", ["body", "name"], "String should have at least 1 character", ""),
        ("greater_than", ["body", "price"], "Input should be greater than 0", -1),
    ]


async def test_422_for_a_valid_item_is_gone():
    """The fix is the request: the same route accepts a valid item."""
    response = await post(app, json={"name": "Mug", "price": 3})
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "Mug", "price": 3.0}


async def test_422_when_the_body_is_not_sent_as_json():
    """JSON sent without Content-Type: application/json is not read as an object."""
    body = '{"name": "Mug", "price": 3}'
    headers = {"Content-Type": "application/x-www-form-urlencoded"}  # what curl -d sends
    response = await post(app, content=body, headers=headers)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body"]
    assert error["msg"] == "Input should be a valid dictionary or object to extract fields from"


async def test_422_when_the_json_is_broken():
    """Broken JSON (quotes lost by the shell) is a json_invalid error at a character position."""
    body = "{name: Mug, price: 3}"  # what is left of the JSON when a shell eats the quotes
    response = await post(app, content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"], error["msg"]) == (
        "json_invalid",
        ["body", 1],
        "JSON decode error",
    )


async def test_422_when_there_is_no_body():
    """No body at all: a single "Field required" for the whole body."""
    response = await post(app)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}
    ]


async def test_custom_handler_reshapes_the_422():
    """With the handler, the same mistakes come back as one readable line each, still a 422."""
    response = await post(app_with_handler, json={"name": "", "price": -1})
    assert response.status_code == 422
    assert response.json() == {
        "detail": "The request is not valid.",
        "problems": [
            "name: String should have at least 1 character",
            "price: Input should be greater than 0",
        ],
    }


async def test_custom_handler_leaves_valid_requests_alone():
    """The handler only runs for invalid requests."""
    response = await post(app_with_handler, json={"name": "Mug", "price": 3})
    assert response.status_code == 200, response.text
