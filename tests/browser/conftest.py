"""Options of the browser tests (tests/browser/): where Chromium is, where screenshots go,
which built docs to check; the Chromium they share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

CHROMIUM = "/usr/bin/chromium"  # Debian's `chromium` package
# What the brief of every Chromium run in CI asks: no sandbox (root), nothing in the background.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("workshop")
    group.addoption(
        "--chromium",
        default=CHROMIUM,
        help=f"the Chromium (or Chrome) binary Playwright drives (default: {CHROMIUM})",
    )
    group.addoption(
        "--screenshots",
        type=Path,
        help="also save the screenshots of step 07 here (docs/images, for the docs pages)",
    )
    group.addoption(
        "--site",
        type=Path,
        help="the built docs to check (default: build them, strictly, into a temporary folder)",
    )


@pytest.fixture(scope="module")
def browser(request) -> Iterator[Browser]:
    chromium = Path(request.config.getoption("--chromium"))
    if not chromium.is_file():
        pytest.fail(
            f"No Chromium at {chromium}: install it with `apt-get install chromium` "
            "(Debian/Ubuntu), or name another with --chromium PATH"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
