"""Small helpers that make a failing check say what to fix."""

from __future__ import annotations

import httpx


def describe(response: httpx.Response) -> str:
    request = response.request
    body = response.text if len(response.text) < 500 else response.text[:500] + "…"
    return f"{request.method} {request.url.path} answered {response.status_code} {body}"


def expect_status(response: httpx.Response, expected: int) -> httpx.Response:
    assert response.status_code == expected, f"expected {expected}, but {describe(response)}"
    return response
