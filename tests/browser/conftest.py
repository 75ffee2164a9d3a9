"""What the browser tests (tests/browser/) share: where Chromium is, where screenshots go, the
built docs (one build, served on a loopback port), and one Chromium for the whole run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tools.docs_site import DocsBuildFailed, build_site

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


@pytest.fixture(scope="session")
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


@pytest.fixture(scope="session")
def site(request, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built docs: --site, or built as `uv run nox -s docs` builds them (strictly) into a
    temporary folder, once for every test of the run."""
    given = request.config.getoption("--site")
    if given:
        return given.resolve()
    try:
        return build_site(tmp_path_factory.mktemp("site"))
    except DocsBuildFailed as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built docs served over HTTP on a free loopback port, for the whole run."""
    handler = partial(QuietHandler, directory=str(site))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request on stderr."""
