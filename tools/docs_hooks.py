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
- The diff is folded (a collapsed `??? success` block) under a line that says how to check
  one's own code first: a learner tries the step before reading its solution.
- A step page writes `<!-- behaviours: tests/steps/test_login.py -->` where the list of what
  that file's tests check goes: the first line of the docstring of each of its tests that is
  new in the page's step (marked `@pytest.mark.steps("07+")`, not applying to step 06), the
  very words a failing check prints (tools/behaviours.py). The file itself is shown folded.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.behaviours import behaviours_markdown
from tools.diffing import diff_trees
from tools.steps import STARTER_DIR, Step, get_step, previous_step
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
BEHAVIOURS = re.compile(
    r"^(?P<indent>[ \t]*)<!-- behaviours: (?P<path>tests/steps/[\w/]+\.py) -->[ \t]*$"
)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    page_path = page.file.src_uri
    markdown = resolve_symbol_includes(markdown, page_path)
    match = STEP_PAGE.match(page_path)
    markdown = expand_behaviours(markdown, page_path, int(match[1]) if match else None)
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
    return markdown.replace(MARKER, fold_diff(step, before, render_diff(before_dir, step.path)))


def expand_behaviours(markdown: str, page_path: str, step: int | None) -> str:
    """Each `<!-- behaviours: tests/steps/test_x.py -->` line becomes the list of the behaviours
    that file's tests check, new in the page's step (tools/behaviours.py), indented as the
    marker is. Raises PluginError on a page that is no step page, for a missing file, and
    for a file with no test new in the step."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines):
        match = BEHAVIOURS.match(line)
        if not match:
            continue
        if step is None:
            raise PluginError(f"{page_path}: {line.strip()} only works on a step page.")
        path = ROOT / match["path"]
        if not path.is_file():
            raise PluginError(f"{page_path}: {match['path']} does not exist.")
        try:
            listing = behaviours_markdown(path, match["path"], step)
        except (LookupError, SyntaxError, ValueError) as exc:
            raise PluginError(f"{page_path}: {exc}") from exc
        lines[index] = "\n".join(f"{match['indent']}{row}" for row in listing.split("\n"))
    return "\n".join(lines)


def fold_diff(step: Step, before: Step | None, diff: str) -> str:
    """The diff (render_diff's Markdown) in a collapsed fold, under a line saying how to check
    one's own code first. In: the step, the step before it (None for the first step, which is
    compared with the starter), the diff. Out: Markdown. Raises nothing."""
    since = f"step {before.number}" if before else "the starting code"
    return "\n".join(
        [
            f"Write the step in `workspace/` yourself first, and check it with "
            f"`uv run nox -s {step.session} -- workspace`; open the solution once it passes, "
            f"or when you are stuck.",
            "",
            f'??? success "Try it yourself first — then open the solution: how step '
            f'{step.number} differs from {since}"',
            "",
            *(f"    {line}" if line else "" for line in diff.split("\n")),
        ]
    )


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
