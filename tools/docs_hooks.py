"""MkDocs hooks: code on the pages comes from steps/ and can't go stale.

- A step page (docs/steps/NN-slug.md) writes the marker `<!-- step-diff -->` where the diff
  goes. At build time the marker becomes one tab per changed file with a unified diff of
  steps/(NN-1)-*/ against steps/NN-slug/, so the page can never show a stale change.
- Symbol includes: `--8<-- "steps/04-database/app/main.py::lifespan"` includes one top-level
  definition (function, class or assignment, with its decorators and the comment lines just
  above it); `::ItemBase..ItemPublic` includes from one to another; `::AppUnderTest.load` a
  method. The hook turns it into pymdownx.snippets' line range and sets the code block's
  `linenums` to the first line, so the numbers shown are the file's own. Unlike a written
  line range, it follows the code when lines are added above it.
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
from tools.symbols import symbol_range

ROOT = Path(__file__).resolve().parent.parent
MARKER = "<!-- step-diff -->"
SYMBOL_INCLUDE = re.compile(
    r'^(?P<indent>[ \t]*)--8<-- "(?P<path>[^":]+\.py)'
    r'::(?P<first>[\w.]+?)(?:\.\.(?P<last>[\w.]+))?"[ \t]*$'
)
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,})(?P<info>\w.*)$")
LINENUMS = re.compile(r'linenums="\d+"')
STEP_PAGE = re.compile(r"^steps/(\d{2})-[a-z0-9-]+\.md$")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    page_path = page.file.src_uri
    markdown = resolve_symbol_includes(markdown, page_path)
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


def resolve_symbol_includes(markdown: str, page_path: str) -> str:
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        match = SYMBOL_INCLUDE.match(line)
        if not match:
            continue
        path = ROOT / match["path"]
        if not path.is_file():
            raise PluginError(f"{page_path}: {match['path']} does not exist")
        try:
            first, last = symbol_range(path, match["first"], match["last"])
        except (LookupError, SyntaxError) as exc:
            raise PluginError(f"{page_path}: {exc}") from exc
        lines[index] = f'{match["indent"]}--8<-- "{match["path"]}:{first}:{last}"'
        opening = _opening_fence(lines, index)
        if opening is None:
            raise PluginError(f"{page_path}: {line.strip()} is not inside a code block")
        if LINENUMS.search(lines[opening]):
            lines[opening] = LINENUMS.sub(f'linenums="{first}"', lines[opening])
        else:
            lines[opening] += f' linenums="{first}"'
    return "\n".join(lines)


def _opening_fence(lines: list[str], index: int) -> int | None:
    for back in range(index - 1, -1, -1):
        if FENCE_OPEN.match(lines[back]):
            return back
        if lines[back].strip():
            return None
    return None


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
    server.watch(str(ROOT / "steps"))
    return server
