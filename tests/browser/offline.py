"""Browser tests without internet: every request that would leave the machine is aborted."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route

LOOPBACK = frozenset({"127.0.0.1", "localhost"})


def block_internet(context: BrowserContext) -> list[str]:
    """Abort every request of `context` to a host other than 127.0.0.1 or localhost.

    In: a browser context, before its pages load anything. Out: the list that the URLs of the
    aborted requests are appended to, as they happen (empty while nothing left the machine).
    """
    blocked: list[str] = []

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_loopback)
    return blocked
