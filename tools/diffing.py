"""Unified diffs between two app folders, ignoring what is not source.

Used by the docs hook (the change shown on each step page) and by `nox -s diff`.
Standard library only.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from tools.steps import ROOT, UserError, get_step, list_steps

IGNORED_DIRS = {
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".venv",
    ".mypy_cache",
    ".nox",
    ".git",
    ".idea",
    ".vscode",
    "node_modules",
    "site",
}
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
# .workshop-step: which step `nox -s start` began in the folder (tools/workspace.py)
IGNORED_NAMES = {".env", ".DS_Store", ".workshop-step"}


@dataclass(frozen=True)
class FileChange:
    path: str  # relative, with forward slashes
    kind: str  # "added", "removed" or "changed"
    text: str  # the unified diff
    added: int
    removed: int


def is_ignored_file(name: str) -> bool:
    """True for files that are not source: bytecode, databases, .env (it may hold secrets)."""
    return Path(name).suffix in IGNORED_SUFFIXES or name in IGNORED_NAMES


def source_files(folder: Path) -> dict[str, Path]:
    """Every file under folder that is source, keyed by its relative posix path."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        # Prune ignored folders (a .venv can hold thousands of files) instead of filtering later.
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
        for name in filenames:
            path = Path(dirpath) / name
            if not is_ignored_file(name) and path.is_file():
                found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))


def _lines(path: Path | None) -> list[str] | None:
    """The file's lines, or None for a file that is not text (an image, a stray binary)."""
    if path is None:
        return []
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Universal newlines, as read_text does: a file saved with CRLF on Windows is not "all changed".
    return text.replace("\r\n", "\n").replace("\r", "\n").splitlines(keepends=True)


def diff_trees(old: Path, new: Path) -> list[FileChange]:
    """The files that differ between two folders, in path order."""
    old_files, new_files = source_files(old), source_files(new)
    changes = []
    for name in sorted(old_files.keys() | new_files.keys()):
        old_path, new_path = old_files.get(name), new_files.get(name)
        before, after = _lines(old_path), _lines(new_path)
        kind = "added" if old_path is None else "removed" if new_path is None else "changed"
        fromfile = f"{old.name}/{name}" if old_path else "/dev/null"
        tofile = f"{new.name}/{name}" if new_path else "/dev/null"
        if before is None or after is None:  # not text on at least one side
            if old_path and new_path and old_path.read_bytes() == new_path.read_bytes():
                continue
            text = f"Binary files {fromfile} and {tofile} differ\n"
            changes.append(FileChange(name, kind, text, 0, 0))
            continue
        if before == after:
            if kind == "changed":
                continue
            # An empty file added or removed (an __init__.py) still matters: say so.
            text = f"--- {fromfile}\n+++ {tofile}\n(empty file)\n"
            changes.append(FileChange(name, kind, text, 0, 0))
            continue
        diff = list(difflib.unified_diff(before, after, fromfile=fromfile, tofile=tofile))
        text = "".join(line if line.endswith("\n") else line + "\n" for line in diff)
        added = sum(1 for d in diff[2:] if d.startswith("+"))
        removed = sum(1 for d in diff[2:] if d.startswith("-"))
        changes.append(FileChange(name, kind, text, added, removed))
    return changes


# -- `nox -s diff -- A B` -----------------------------------------------------------------

STEP_ARGUMENT = re.compile(r"^\d{1,2}(-[a-z0-9-]*)?$")


def resolve_side(given: str, base: Path) -> Path:
    """One side of `diff -- A B`: a step ("05", "5", "05-domain-structure") or a folder.

    A folder is relative to `base` (where the command was run). Raises UserError, saying what
    would have worked, for anything else.
    """
    if STEP_ARGUMENT.match(given):
        try:
            return get_step(given).path
        except LookupError:
            raise UserError(
                f"There is no step {given!r}.\nThe steps are:\n{list_steps()}"
            ) from None
    folder = (base / given).resolve()
    if not folder.is_dir():
        raise UserError(
            f"{given!r} is neither a step nor a folder (there is no {folder}).\n"
            "Give two steps (`04 05`) or a folder and a step (`workspace 05`); "
            "`uv run nox -s start -- 03` makes workspace/. The steps are:\n" + list_steps()
        )
    return folder


def display_name(folder: Path) -> str:
    """steps/05-domain-structure or workspace: relative to the repository when inside it."""
    try:
        return folder.resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(folder)


def wants_color(stream: object = None) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    stream = sys.stdout if stream is None else stream
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return False
    return _enable_windows_ansi()


def _enable_windows_ansi() -> bool:
    """Windows consoles show ANSI colours only once asked to; elsewhere they just work."""
    if sys.platform != "win32":
        return True
    try:
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.GetStdHandle(-11)  # STD_OUTPUT_HANDLE
        mode = ctypes.c_uint32()
        if not kernel32.GetConsoleMode(handle, ctypes.byref(mode)):
            return False
        # ENABLE_VIRTUAL_TERMINAL_PROCESSING
        return bool(kernel32.SetConsoleMode(handle, mode.value | 0x0004))
    except (AttributeError, OSError):
        return False


RESET = "\033[0m"
STYLES = {"header": "\033[1m", "hunk": "\033[36m", "added": "\033[32m", "removed": "\033[31m"}


def _style(line: str) -> str | None:
    if line.startswith(("+++ ", "--- ")):
        return "header"
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "added"
    if line.startswith("-"):
        return "removed"
    return None


def render_diff_text(old: Path, new: Path, changes: list[FileChange], color: bool) -> str:
    """The whole diff for a terminal: a summary line, then each file's unified diff."""
    old_name, new_name = display_name(old), display_name(new)
    if not changes:
        return f"{old_name} and {new_name} hold the same source: no differences.\n"
    added = sum(c.added for c in changes)
    removed = sum(c.removed for c in changes)
    lines = [
        f"{old_name} -> {new_name}: {len(changes)} file(s) changed, "
        f"{added} line(s) added, {removed} removed "
        "(caches, databases, __pycache__ and .env are ignored).",
        "",
    ]
    for change in changes:
        for line in change.text.splitlines():
            style = _style(line) if color else None
            lines.append(f"{STYLES[style]}{line}{RESET}" if style else line)
        lines.append("")
    return "\n".join(lines)
