"""What a browser needs to read answers from another origin (troubleshooting: CORS)."""

import httpx
import pytest

from .cors import app, app_with_cors

pytestmark = pytest.mark.anyio

PAGE = "http://localhost:3000"
PREFLIGHT = {
    "Origin": PAGE,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type",
}


async def send(application, method: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return await client.request(method, "/items", headers=headers)


async def test_without_middleware_the_answer_has_no_cors_header():
    """The server answers 200, but without Access-Control-Allow-Origin the browser hides it."""
    response = await send(app, "GET", {"Origin": PAGE})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


async def test_without_middleware_the_preflight_fails():
    """The browser's preflight OPTIONS (sent before a JSON POST) gets a 405."""
    response = await send(app, "OPTIONS", PREFLIGHT)
    assert response.status_code == 405
    assert "access-control-allow-origin" not in response.headers


async def test_with_middleware_the_page_origin_is_allowed():
    """With CORSMiddleware, the page's origin is named in the answer."""
    response = await send(app_with_cors, "GET", {"Origin": PAGE})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PAGE
    assert response.headers["access-control-allow-credentials"] == "true"


async def test_with_middleware_the_preflight_succeeds():
    """With CORSMiddleware, the preflight answers 200 with the allowed methods."""
    response = await send(app_with_cors, "OPTIONS", PREFLIGHT)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == PAGE
    assert "POST" in response.headers["access-control-allow-methods"]


async def test_another_origin_is_still_refused():
    """127.0.0.1:3000 is not localhost:3000: that page gets no CORS header."""
    response = await send(app_with_cors, "GET", {"Origin": "http://127.0.0.1:3000"})
    assert "access-control-allow-origin" not in response.headers
