"""Options of the browser test (tests/browser/): where Chromium is, where screenshots go."""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's `chromium` package


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
