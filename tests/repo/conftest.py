"""Shared fixtures of the repository's own tests (tools/, the repo checks, troubleshooting)."""

from __future__ import annotations

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
