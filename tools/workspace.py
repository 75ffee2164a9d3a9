"""`nox -s start -- NN`: put the starting point of step NN in workspace/, never losing work.

The starting point of step NN is the finished code of step NN-1 (tools/starter/ for step 01).
An existing workspace/ is first moved aside to workspace.backup-YYYYMMDD-HHMMSS/ (git-ignored),
never deleted. Standard library only: it runs in nox's own process, on Windows too.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tools.diffing import IGNORED_DIRS, is_ignored_file
from tools.steps import ROOT, STARTER_DIR, Step, UserError, get_step, list_steps, starting_point

WORKSPACE = ROOT / "workspace"
BACKUP_PREFIX = "workspace.backup-"
# In the folder: the number of the step `start` began there ("12"). `progress` reads it: from
# a step on, the code can fail every earlier step's tests (step 08 requires a token that the
# tests of 03-07 don't send, step 11's app makes no tables itself), so "the step after the
# last passing one" alone would send a learner midway through step 12 back to step 02.
STARTED_FILE = ".workshop-step"


@dataclass(frozen=True)
class Started:
    step: Step
    source: Path  # the code copied in
    workspace: Path
    backup: Path | None  # where the previous workspace went, if there was one
    files: list[str]  # what workspace/ now holds, relative posix paths


def _ignore(directory: str, names: Iterable[str]) -> set[str]:
    """For shutil.copytree: leave out caches, databases and .env, as the diffs do."""
    return {name for name in names if name in IGNORED_DIRS or is_ignored_file(name)}


def backup_path(workspace: Path, now: datetime) -> Path:
    """A free name beside workspace/: workspace.backup-20250131-142501 (then -2, -3, …)."""
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = workspace.with_name(f"{BACKUP_PREFIX}{stamp}")
    counter = 2
    while candidate.exists():
        candidate = workspace.with_name(f"{BACKUP_PREFIX}{stamp}-{counter}")
        counter += 1
    return candidate


def fill_workspace(source: Path, workspace: Path, now: datetime | None = None) -> Path | None:
    """Move any existing `workspace` aside, then copy `source` into it. Returns the backup."""
    backup = None
    if workspace.exists() or workspace.is_symlink():
        backup = backup_path(workspace, now or datetime.now().astimezone())
        try:
            shutil.move(str(workspace), str(backup))
        except OSError as exc:
            raise UserError(
                f"Could not move {workspace.name}/ aside to {backup.name}/ ({exc}). "
                f"Is a program still using it? Stop `fastapi dev` (Ctrl+C) and close files "
                f"from {workspace.name}/ in other programs, then run the command again. "
                f"Nothing was changed."
            ) from exc
    try:
        shutil.copytree(source, workspace, ignore=_ignore)
    except OSError as exc:
        kept = f" Your previous workspace is safe in {backup}." if backup else ""
        raise UserError(f"Could not copy {source} to {workspace}: {exc}.{kept}") from exc
    return backup


def start_step(number: str, workspace: Path = WORKSPACE, now: datetime | None = None) -> Started:
    """Make `workspace` the starting point of step `number`."""
    if not number:
        raise UserError(
            "Say which step to start, e.g. `uv run nox -s start -- 03`.\nThe steps are:\n"
            + list_steps()
        )
    try:
        step = get_step(number)
    except LookupError:
        raise UserError(f"There is no step {number!r}.\nThe steps are:\n{list_steps()}") from None
    source = starting_point(step)
    backup = fill_workspace(source, workspace, now)
    (workspace / STARTED_FILE).write_text(f"{step.number}\n", encoding="utf-8")
    files = sorted(
        path.relative_to(workspace).as_posix()
        for path in workspace.rglob("*")
        if path.is_file() and path.name != STARTED_FILE
    )
    return Started(step, source, workspace, backup, files)


def started_step(folder: Path) -> Step | None:
    """The step `start` began in `folder` (its STARTED_FILE), or None: no such file (code
    copied by hand, a step's own folder), or one that names no step."""
    try:
        return get_step((folder / STARTED_FILE).read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError, LookupError):
        return None


def _shown(path: Path) -> str:
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def describe(started: Started) -> str:
    """What the learner reads after `start`: where things are, what to read and run next."""
    step, number = started.step, started.step.number
    workspace = _shown(started.workspace)
    if started.source == STARTER_DIR:
        origin = f"an empty app ({_shown(STARTER_DIR)}/)"
    else:
        origin = f"the finished code of the previous step ({_shown(started.source)}/)"
    lines = [f"Step {number} ({step.slug}) starts from {origin}."]
    if started.backup:
        lines.append(
            f"Your previous {started.workspace.name}/ was moved, untouched, to "
            f"{_shown(started.backup)}/ (copy back anything you need from there)."
        )
    lines.append(f"{workspace}/ now holds:")
    lines += [f"  {name}" for name in started.files]
    page = f"docs/steps/{step.name}.md"
    lines += [
        "",
        "Next:",
        f"  read     {page}   (or serve the docs: uv run nox -s docs -- serve)",
        f"  run      uv run fastapi dev {workspace}/app/main.py --reload-dir {workspace}",
        f"  check    uv run nox -s step-{number} -- {workspace}",
        f"  stuck?   uv run nox -s diff -- {workspace} {number}",
    ]
    return "\n".join(lines)
