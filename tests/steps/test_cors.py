"""Step 10 on: CORS, the origins from CORS_ORIGINS (a JSON list), never
"*" with credentials."""

import pytest

from .helpers import start_failure

DEFAULT_ORIGIN = "http://localhost:3000"


def preflight_headers(origin):
    """What a browser sends before a cross-origin POST of JSON with a
    token."""
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }


def expect_allowed(response, origin):
    assert response.status_code == 200, (
        f"the preflight from {origin} answered {response.status_code} "
        f"{response.text[:200]}"
    )
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed == origin, (
        f"Access-Control-Allow-Origin is {allowed!r} for {origin}: the "
        "browser would block the request (add the origin to "
        "CORS_ORIGINS, and CORSMiddleware to the app)"
    )
    methods = response.headers.get("access-control-allow-methods", "")
    assert "POST" in methods or methods == "*", (
        f"POST is not allowed: {methods!r}"
    )
    headers = response.headers.get(
        "access-control-allow-headers", ""
    ).lower()
    assert "authorization" in headers or headers == "*", (
        f"headers allowed: {headers!r}"
    )


def expect_refused(response, origin):
    allowed = response.headers.get("access-control-allow-origin")
    assert allowed not in (origin, "*"), (
        f"the preflight from {origin}, which CORS_ORIGINS doesn't list, "
        f"was allowed (Access-Control-Allow-Origin: {allowed})"
    )


@pytest.mark.steps("10+")
async def test_the_default_origin_may_call_the_api(client):
    """A preflight from http://localhost:3000 (the default CORS_ORIGINS)
    is allowed."""
    response = await client.options(
        "/items", headers=preflight_headers(DEFAULT_ORIGIN)
    )
    expect_allowed(response, DEFAULT_ORIGIN)
    # And the request itself carries the header the browser checks.
    response = await client.get(
        "/items", headers={"Origin": DEFAULT_ORIGIN}
    )
    assert (
        response.headers.get("access-control-allow-origin")
        == DEFAULT_ORIGIN
    )


@pytest.mark.steps("10+")
async def test_another_origin_is_refused(client):
    """A preflight from an origin not in CORS_ORIGINS gets no
    Access-Control-Allow-Origin."""
    origin = "https://evil.example"
    expect_refused(
        await client.options("/items", headers=preflight_headers(origin)),
        origin,
    )
    response = await client.get("/items", headers={"Origin": origin})
    assert response.headers.get("access-control-allow-origin") not in (
        origin,
        "*",
    )


@pytest.mark.steps("10+")
async def test_cors_origins_is_a_json_list(serve):
    """CORS_ORIGINS='["https://a.example", "https://b.example"]': those
    two, and only them."""
    origins = [
        "https://app.example.com",
        "https://admin.example.com:8443",
    ]
    async with serve(
        CORS_ORIGINS=f'["{origins[0]}", "{origins[1]}"]'
    ) as client:
        for origin in origins:
            expect_allowed(
                await client.options(
                    "/items", headers=preflight_headers(origin)
                ),
                origin,
            )
        response = await client.options(
            "/items", headers=preflight_headers(DEFAULT_ORIGIN)
        )
        expect_refused(response, DEFAULT_ORIGIN)


@pytest.mark.steps("10+")
async def test_any_origin_with_credentials_is_refused_at_start(
    app_under_test,
):
    """CORS_ORIGINS='["*"]' stops the app at start, with a message that
    names the setting."""
    message = await start_failure(app_under_test, CORS_ORIGINS='["*"]')
    assert "cors_origins" in message.lower(), (
        "the app refused to start, but its message doesn't name "
        f"CORS_ORIGINS: {message}"
    )


@pytest.mark.steps("10+")
@pytest.mark.parametrize(
    "value", ["http://localhost:3000", '{"origin": "http://x.example"}']
)
async def test_a_bad_cors_origins_stops_the_app(app_under_test, value):
    """CORS_ORIGINS that is not a JSON list stops the app at start, naming
    the setting."""
    message = await start_failure(app_under_test, CORS_ORIGINS=value)
    assert "cors_origins" in message.lower(), (
        f"the message doesn't name CORS_ORIGINS: {message}"
    )
