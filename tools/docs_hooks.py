"""MkDocs hooks: each step page shows the change from the previous step, made from steps/.

A step page (docs/steps/NN-slug.md) writes the marker `<!-- step-diff -->` where the diff
goes. At build time the marker becomes one tab per changed file with a unified diff of
steps/(NN-1)-*/ against steps/NN-slug/, so the page can never show a stale change.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.diffing import diff_trees
from tools.steps import STARTER_DIR, get_step, previous_step

MARKER = "<!-- step-diff -->"
STEP_PAGE = re.compile(r"^steps/(\d{2})-[a-z0-9-]+\.md$")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    page_path = page.file.src_uri
    match = STEP_PAGE.match(page_path)
    if MARKER not in markdown:
        if match:
            raise PluginError(f"{page_path} is a step page without {MARKER}: show the change.")
        return markdown
    if not match:
        raise PluginError(f"{page_path} uses {MARKER}, but only step pages can.")
    try:
        step = get_step(match[1])
    except LookupError as exc:
        raise PluginError(f"{page_path}: {exc}") from exc
    before = previous_step(step)
    before_dir = before.path if before else STARTER_DIR
    return markdown.replace(MARKER, render_diff(before_dir, step.path))


def render_diff(old_dir: Path, new_dir: Path) -> str:
    changes = diff_trees(old_dir, new_dir)
    if not changes:
        raise PluginError(f"{new_dir.name} is identical to {old_dir.name}: nothing to show.")
    added = sum(c.added for c in changes)
    removed = sum(c.removed for c in changes)
    lines = [
        f"`{old_dir.name}` → `{new_dir.name}`: {len(changes)} file(s) changed, "
        f"{added} line(s) added, {removed} removed.",
        "",
    ]
    for change in changes:
        fence = "````" if "```" in change.text else "```"
        # Backticks: a name such as __init__.py must not turn into bold "init".
        lines += [f'=== "`{change.path}` ({change.kind})"', ""]
        lines += [f"    {fence}diff", *(f"    {line}" for line in change.text.splitlines())]
        lines += [f"    {fence}", ""]
    return "\n".join(lines)


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    # `mkdocs serve` rebuilds when a step's code changes, not only when a page does.
    root = Path(__file__).resolve().parent.parent
    server.watch(str(root / "steps"))
    return server
