"""`str | None` without a default is required; with `= None` it is optional (troubleshooting)."""

import httpx
import pytest

from .optional_field import app

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


async def test_optional_type_without_default_is_required_in_a_body(client):
    """`description: str | None` with no default: leaving it out is a 422 "Field required"."""
    response = await client.post("/broken/items", json={"name": "Mug"})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "type": "missing",
            "loc": ["body", "description"],
            "msg": "Field required",
            "input": {"name": "Mug"},
        }
    ]


async def test_optional_type_without_default_accepts_an_explicit_null(client):
    """The broken model does accept null: the field may be None, it just has to be sent."""
    response = await client.post("/broken/items", json={"name": "Mug", "description": None})
    assert response.status_code == 200, response.text


async def test_optional_type_without_default_is_required_in_a_query(client):
    """The same for a query parameter: `q: str | None` with no default is a required ?q=."""
    response = await client.get("/broken/search")
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert (error["type"], error["loc"], error["msg"]) == (
        "missing",
        ["query", "q"],
        "Field required",
    )


async def test_default_none_makes_the_body_field_optional(client):
    """With `= None` (or Field(default=None)) the fields may be left out."""
    response = await client.post("/fixed/items", json={"name": "Mug"})
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "Mug", "description": None, "notes": None}


async def test_default_none_makes_the_query_optional(client):
    """With `= None` the query parameter may be left out."""
    response = await client.get("/fixed/search")
    assert response.status_code == 200, response.text
    assert response.json() == {"q": None}
