"""Build the docs as `uv run nox -s docs` does, for the tests that read or open the built site
(tests/repo/test_docs_build.py, tests/browser/). Standard library only: mkdocs must be
installed in the Python that runs this (the `docs` dependency group)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tools.steps import ROOT


class DocsBuildFailed(RuntimeError):
    """`mkdocs build --strict` failed; the message holds the end of its output."""


def build_site(folder: Path, timeout: float = 300) -> Path:
    """Build the docs strictly (every warning an error) into `folder`, from the repo's root.

    In: the folder to build into (made or emptied by mkdocs), the seconds to wait at most.
    Out: that folder. Raises DocsBuildFailed if the build fails (with the last 4,000
    characters of its output), subprocess.TimeoutExpired if it takes longer than timeout."""
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        # mkdocs-material's end-of-life notice, printed at every build (the docs session too).
        env=os.environ | {"NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if built.returncode != 0:
        output = f"{built.stdout}{built.stderr}"
        raise DocsBuildFailed(f"mkdocs build --strict failed:\n{output[-4000:]}")
    return folder
