"""/docs works without internet, and its Authorize button logs in: proven in a real browser.

Page 07 teaches logging in with the Authorize button of `/docs`. For every step from 07 on,
this starts the step's app as a real server (uvicorn, a fresh database), registers a user,
and then drives Chromium through Swagger UI the way a learner does: Authorize, username and
password, Authorize, Close, `GET /auth/me`, Try it out, Execute: 200 and the user's email.

Every request the page makes to a host other than 127.0.0.1 or localhost is aborted and
recorded, so the test passes only if `/docs` needs nothing from the internet (a classroom's
bad Wi-Fi). Run it with `uv run nox -s browser`; it needs Debian's `chromium` package.
`uv run nox -s browser -- --screenshots docs/images` also refreshes the docs' screenshots.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tools.serve import free_port, migrate, running_server
from tools.steps import Step, all_steps

EMAIL = "ada@example.com"
PASSWORD = "correct-horse-battery-staple"
LOOPBACK = frozenset({"127.0.0.1", "localhost"})
TIMEOUT_MS = 15_000  # the longest a step may wait for the page; polled, not slept
STEPS_WITH_LOGIN = [step for step in all_steps() if int(step.number) >= 7]


@pytest.fixture
def server(request, tmp_path: Path) -> Iterator[str]:
    """The step's app under uvicorn on a free loopback port, with a fresh database."""
    step: Step = request.param
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}",
        "BCRYPT_ROUNDS": "4",
        "SECRET_KEY": "browser-test-only-secret-key-0123456789abcdef",
    }
    migrate(sys.executable, step.path, env)  # from step 11 Alembic makes the tables
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--app-dir", str(step.path)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    # cwd: an empty folder, so that no .env or ./workshop.db of the repository is used.
    with running_server(command, port, cwd=tmp_path, env=env) as base_url:
        yield base_url


@pytest.mark.parametrize("server", STEPS_WITH_LOGIN, ids=lambda s: s.name, indirect=True)
def test_docs_authorize_and_call_auth_me_offline(
    request, browser: Browser, server: str, tmp_path: Path
):
    """/docs loads with the internet blocked; Authorize logs in; GET /auth/me answers 200."""
    step_name = request.node.callspec.id
    registered = httpx.post(
        f"{server}/auth/register", json={"email": EMAIL, "password": PASSWORD}, timeout=10
    )
    assert registered.status_code == 201, registered.text
    saved = request.config.getoption("--screenshots")
    shots = saved if saved and step_name == STEPS_WITH_LOGIN[0].name else tmp_path

    context = browser.new_context(viewport={"width": 1000, "height": 760})
    blocked: list[str] = []
    errors: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server}/docs", wait_until="load")
        assert not blocked, (
            f"/docs asked for files on the internet, which a classroom without it can't "
            f"load: {blocked} (page errors: {errors})"
        )
        authorize_and_call_me(page, shots)
    finally:
        context.close()
    assert not blocked, f"requests outside the machine were blocked: {blocked}"
    assert not errors, f"the page raised errors: {errors}"


def authorize_and_call_me(page: Page, shots: Path) -> None:
    """Log in with the Authorize dialog, then Try it out → Execute on GET /auth/me."""
    page.locator(".auth-wrapper button.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    expect(dialog).to_be_visible()
    dialog.locator("#oauth_username").fill(EMAIL)
    dialog.locator("#oauth_password").fill(PASSWORD)
    shots.mkdir(parents=True, exist_ok=True)
    dialog.screenshot(path=shots / "07-docs-authorize.png")
    dialog.locator("button.authorize").click()
    # Once logged in, the dialog says "Authorized" and offers Logout instead of Authorize.
    expect(dialog.get_by_role("heading", name="Authorized")).to_be_visible()
    expect(dialog.get_by_role("button", name="Remove authorization")).to_have_text("Logout")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    operation = page.locator(".opblock-get", has=page.locator('[data-path="/auth/me"]'))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    response = operation.locator(".live-responses-table tbody .response")
    expect(response.locator(".response-col_status")).to_have_text("200")
    expect(response.locator(".response-col_description")).to_contain_text(EMAIL)
    # From the operation's title down to the server's response (not the documented ones).
    response.scroll_into_view_if_needed()
    top, bottom = operation.bounding_box(), response.bounding_box()
    assert top and bottom, "the operation and its response are on the page"
    scrolled = page.evaluate("window.scrollY")
    page.screenshot(
        path=shots / "07-docs-auth-me.png",
        full_page=True,
        clip={
            "x": top["x"],
            "y": top["y"] + scrolled,
            "width": top["width"],
            "height": bottom["y"] + bottom["height"] - top["y"] + 8,
        },
    )
