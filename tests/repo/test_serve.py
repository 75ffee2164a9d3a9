"""Every step starts the way the docs say an instructor starts it, with a real server.

`uv run fastapi dev steps/05-domain-structure/app/main.py --reload-dir steps/05-domain-structure`,
run from the repository's root: this checks that the FastAPI CLI finds each step's app and
that it answers over real HTTP
(the black-box tests in tests/steps/ talk to the app in-process, without a server), and that
its `/docs` and `/redoc` pages load nothing from another host: they must work on a classroom
network without internet (SPEC.md; tests/browser/ proves it in a real browser for 07+).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tools.serve import free_port, running_server
from tools.steps import ROOT, Step, all_steps


# One server per step: pytest orders this file's tests step by step, and `nox -s consistency`
# runs the whole file on one pytest-xdist worker (--dist loadfile), so no server starts twice.
@pytest.fixture(scope="module", params=all_steps(), ids=lambda step: step.name)
def served(request, tmp_path_factory) -> Iterator[tuple[Step, str]]:
    """The step, and the base URL of `fastapi dev …/app/main.py --reload-dir …` serving it."""
    step: Step = request.param
    port = free_port()
    folder = step.path.relative_to(ROOT)
    main = folder / "app" / "main.py"
    # Keep the root clean: the default ./workshop.db would land in the repository.
    database = tmp_path_factory.mktemp(step.number) / "serve.db"
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "BCRYPT_ROUNDS": "4"}
    command = [sys.executable, "-m", "fastapi", "dev", str(main), "--reload-dir", str(folder)]
    command += ["--port", str(port)]
    with running_server([*command, "--no-reload"], port, cwd=ROOT, env=env) as base_url:
        yield step, base_url


def test_step_serves_with_fastapi_dev(served):
    """`fastapi dev steps/NN-slug/app/main.py --reload-dir steps/NN-slug` serves the step."""
    _, base_url = served
    response = httpx.get(f"{base_url}/", timeout=5)
    assert response.json() == {"message": "Hello World"}
    assert httpx.get(f"{base_url}/openapi.json", timeout=5).status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_other_hosts(served, page):
    """/docs and /redoc reference only their own host, and every file they name is served."""
    step, base_url = served
    response = httpx.get(f"{base_url}{page}", timeout=5)
    assert response.status_code == 200, f"{step.name}: GET {page} answered {response.status_code}"
    own = urlsplit(base_url).netloc
    referenced = [urljoin(f"{base_url}{page}", url) for url in linked_urls(response.text)]
    elsewhere = sorted(
        {url for url in [*referenced, *absolute_urls(response.text)] if urlsplit(url).netloc != own}
    )
    assert not elsewhere, (
        f"{step.name}: {page} loads files from other hosts, so it is a blank page without "
        f"internet: {elsewhere}. Make the app with fastapi_offline.FastAPIOffline (page 01)."
    )
    assert referenced, f"{step.name}: {page} references no script or stylesheet at all"
    for url in referenced:
        status = httpx.get(url, timeout=5).status_code
        assert status == 200, f"{step.name}: {page} references {url}, which answers {status}"


class _Links(HTMLParser):
    """Collects the URLs of the attributes that make a browser load something."""

    ATTRIBUTES = frozenset({"src", "href", "spec-url"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in self.ATTRIBUTES and value]


def linked_urls(html: str) -> list[str]:
    """The src, href and spec-url values of every tag in `html`, as written."""
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.urls


def absolute_urls(html: str) -> list[str]:
    """Every http(s):// or protocol-relative //host URL written anywhere, scripts included."""
    return re.findall(r"(?:https?:)?//[\w.-]+(?::\d+)?[^\s\"'<>)]*", html)
