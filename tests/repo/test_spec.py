"""SPEC.md, the contract every step meets, is the workshop's specification, word for word.

The repository carries its own copy (SPEC.md at the root, shown by the docs' Specification
page), so that a clone has it. Where the maintainers' shared/SPEC.md sits beside the
repository (or WORKSHOP_SHARED_SPEC names it), the copy must equal it; anywhere else (a
learner's clone, a fork's CI) there is nothing to compare with and the check is skipped.
"""

import difflib
import os
from pathlib import Path

import pytest

from tools.steps import ROOT

COPY = ROOT / "SPEC.md"


def shared_spec() -> Path:
    given = os.environ.get("WORKSHOP_SHARED_SPEC")
    return Path(given) if given else ROOT.parent / "shared" / "SPEC.md"


def test_the_repository_carries_the_spec_and_the_docs_show_it():
    """SPEC.md is in the repository, and the docs' Specification page includes it."""
    assert COPY.is_file(), "SPEC.md is missing at the repository's root"
    assert '--8<-- "SPEC.md"' in (ROOT / "docs" / "spec.md").read_text(encoding="utf-8")


def test_the_copy_equals_the_shared_spec():
    """SPEC.md equals shared/SPEC.md beside the repository, when that file is there."""
    original = shared_spec()
    if not original.is_file():
        pytest.skip(f"no shared specification at {original} to compare SPEC.md with")
    expected = original.read_text(encoding="utf-8")
    actual = COPY.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), str(original), "SPEC.md", lineterm=""
        )
        pytest.fail(
            f"SPEC.md differs from {original}: copy it again (cp {original} SPEC.md)\n"
            + "\n".join(list(diff)[:40]),
            pytrace=False,
        )
