"""Unified diffs between two app folders, ignoring what is not source.

Used by the docs hook (the change shown on each step page) and by `nox -s diff`.
Standard library only.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

IGNORED_DIRS = {"__pycache__", ".pytest_cache", ".ruff_cache", ".venv", ".mypy_cache", "site"}
IGNORED_SUFFIXES = {
    ".pyc",
    ".pyo",
    ".db",
    ".sqlite",
    ".sqlite3",
    ".db-journal",
    ".db-wal",
    ".db-shm",
}
IGNORED_NAMES = {".env", ".DS_Store"}


@dataclass(frozen=True)
class FileChange:
    path: str  # relative, with forward slashes
    kind: str  # "added", "removed" or "changed"
    text: str  # the unified diff
    added: int
    removed: int


def source_files(folder: Path) -> dict[str, Path]:
    """Every file under folder that is source, keyed by its relative posix path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part in IGNORED_DIRS for part in relative.parts[:-1]) or not path.is_file():
            continue
        if path.suffix in IGNORED_SUFFIXES or path.name in IGNORED_NAMES:
            continue
        found[relative.as_posix()] = path
    return found


def _lines(path: Path | None) -> list[str]:
    if path is None:
        return []
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def diff_trees(old: Path, new: Path) -> list[FileChange]:
    """The files that differ between two folders, in path order."""
    old_files, new_files = source_files(old), source_files(new)
    changes = []
    for name in sorted(old_files.keys() | new_files.keys()):
        before, after = _lines(old_files.get(name)), _lines(new_files.get(name))
        if before == after:
            continue
        kind = (
            "added" if name not in old_files else "removed" if name not in new_files else "changed"
        )
        diff = list(
            difflib.unified_diff(
                before,
                after,
                fromfile=f"{old.name}/{name}" if name in old_files else "/dev/null",
                tofile=f"{new.name}/{name}" if name in new_files else "/dev/null",
            )
        )
        text = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
        added = sum(1 for d in diff[2:] if d.startswith("+"))
        removed = sum(1 for d in diff[2:] if d.startswith("-"))
        changes.append(FileChange(name, kind, text, added, removed))
    return changes
