"""Small helpers for the tests: checks that say what to fix, and JWTs made
by hand."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Awaitable
from typing import Any, TypeVar

import httpx


def describe(response: httpx.Response) -> str:
    request = response.request
    body = (
        response.text
        if len(response.text) < 500
        else response.text[:500] + "…"
    )
    status = response.status_code
    return f"{request.method} {request.url.path} answered {status} {body}"


def expect_status(
    response: httpx.Response, expected: int
) -> httpx.Response:
    assert response.status_code == expected, (
        f"expected {expected}, but {describe(response)}"
    )
    return response


T = TypeVar("T")


async def at_once(*requests: Awaitable[T]) -> list[T]:
    """Await `requests` concurrently, let every one of them finish, then
    raise the first one's error, if any; else return their results in
    order.

    Plain asyncio.gather raises the first error at once and leaves the
    other requests running with nobody waiting for them: they outlive the
    test, and when their sessions and connections were freed, some tests
    later, a passing test was blamed for the warnings.
    """
    results = await asyncio.gather(*requests, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]


# -- JSON Web Tokens, with the standard library only
# ----------------------------------- The tests must not share a JWT
# library with the app they check (step 12 swaps python-jose for PyJWT):
# they make and read tokens by hand, as RFC 7519 describes them.

HMAC_HASHES = {
    "HS256": hashlib.sha256,
    "HS384": hashlib.sha384,
    "HS512": hashlib.sha512,
}


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(signing_input: str, key: str, algorithm: str) -> str:
    digest = hmac.new(
        key.encode(),
        signing_input.encode("ascii"),
        HMAC_HASHES[algorithm],
    )
    return b64url_encode(digest.digest())


def make_token(
    claims: dict[str, Any] | bytes,
    key: str | None,
    algorithm: str = "HS256",
    **header: Any,
) -> str:
    """A JWT with these claims, signed with `key` by HS256, HS384 or
    HS512; "none": unsigned.

    `claims` is a dict, or the claims' JSON text as bytes, written as is
    (for JSON that json.dumps would refuse to write, such as arrays nested
    thousands deep)."""
    header = {"alg": algorithm, "typ": "JWT"} | header
    parts = [
        part
        if isinstance(part, bytes)
        else json.dumps(part, separators=(",", ":")).encode()
        for part in (header, claims)
    ]
    signing_input = ".".join(b64url_encode(part) for part in parts)
    if algorithm.lower() == "none":
        return signing_input + "."
    assert key is not None, "an HMAC token needs a key"
    return f"{signing_input}.{sign(signing_input, key, algorithm)}"


def read_token(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a JWT, WITHOUT checking its signature."""
    parts = token.split(".")
    assert len(parts) == 3, (
        f"a JWT has three dot-separated parts, got {token!r}"
    )
    header, claims = (
        json.loads(b64url_decode(part)) for part in parts[:2]
    )
    return header, claims


def signed_with(token: str, key: str, algorithm: str = "HS256") -> bool:
    """Whether `token` carries a valid `algorithm` signature made with
    `key`."""
    signing_input, _, signature = token.rpartition(".")
    return hmac.compare_digest(
        sign(signing_input, key, algorithm), signature
    )


# -- an app that refuses to start ----------------------------------------


async def start_failure(app_under_test: Any, **env: str | None) -> str:
    """Why the app refuses to start with these variables: the error its
    import or its lifespan raised, as text. Fails the test if the app
    starts."""
    import pytest
    from asgi_lifespan import LifespanManager

    try:
        app = app_under_test.load(**env)
    except pytest.fail.Exception as exc:
        # The harness could not import app.main: why
        return str(exc)
    try:
        async with LifespanManager(app):
            pass
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    settings = ", ".join(f"{name}={value}" for name, value in env.items())
    pytest.fail(
        f"the app started with {settings}: it must refuse to start, with "
        "a message naming "
        "the setting (validate it in Settings)",
        pytrace=False,
    )
