"""CORS: the origins of the settings may call the API from a browser, no
others."""

import pytest

pytestmark = pytest.mark.anyio

ALLOWED = "http://localhost:3000"  # the default CORS_ORIGINS


def preflight(origin: str) -> dict[str, str]:
    """The headers a browser sends before a POST with a token, from
    `origin`."""
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_preflight_from_an_allowed_origin(client):
    response = await client.options("/items", headers=preflight(ALLOWED))
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert (
        "authorization"
        in response.headers["access-control-allow-headers"]
    )


async def test_preflight_from_another_origin(client):
    response = await client.options(
        "/items", headers=preflight("https://evil.example")
    )
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


async def test_the_answer_carries_the_cors_header(client):
    # The browser lets the page read the answer only with this header.
    response = await client.get("/items", headers={"Origin": ALLOWED})
    assert response.headers["access-control-allow-origin"] == ALLOWED
