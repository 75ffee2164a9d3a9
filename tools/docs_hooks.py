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
  that file's tests check goes: the first paragraph of the docstring of each of its tests that is
  new in the page's step (marked `@pytest.mark.steps("07+")`, not applying to step 06), the
  very words a failing check prints (tools/behaviours.py). The file itself is shown folded.
- Code fits the page: on a step page, every line of a code block (included files, the diff,
  commands) must fit the content column at its narrowest (see `code_column`); the build
  fails naming each line that would make its block scroll sideways.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
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

# How many monospace characters a code block shows without scrolling, measured in Chromium at
# a 1220-px-wide window: the narrowest layout of mkdocs-material with both sidebars, where the
# content column is narrowest (it is the same number of characters up to 1920 px, as the
# theme scales its fonts). Code at 13.6 px in DejaVu Sans Mono (Linux's monospace font; macOS
# and Windows fonts are as wide or narrower): a plain block shows 80 characters (a diff: the
# +/- column and 79). Line numbers take 3 characters, plus one per digit; a list item's
# indent takes 4; an admonition's smaller font shows 96. `uv run nox -s browser` checks the
# same in Chromium.
CODE_COLUMNS = 80
ADMONITION_COLUMNS = 96
LINENOS_COLUMNS = 3
LIST_INDENT_COLUMNS = 4
# Blocks that show what a program printed (a JWT, a hash, one-line JSON) are as long as the
# program made them: only code and commands are checked.
UNCHECKED_LANGUAGES = frozenset({"text", "json"})


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
        # The tab names the file: its ---/+++ header lines would only repeat it, and a long
        # path (a migration's) would be wider than the page.
        text = change.text.splitlines()
        if text[:2] and text[0].startswith("--- ") and text[1].startswith("+++ "):
            text = text[2:]
        lines += [f"    {fence}diff", *(f"    {line}" for line in text)]
        lines += [f"    {fence}", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class WideLine:
    """A line of a rendered code block that is wider than the block shows without scrolling."""

    block: str  # the block's title (an included file's path), else its first line
    number: int  # the line's number as shown (the file's own, with line numbers), from 1
    width: int  # in characters
    limit: int  # the characters the block shows


def code_column(*, linenos_digits: int = 0, list_depth: int = 0, admonition: bool = False) -> int:
    """How many characters of a code block's line show without scrolling.

    `linenos_digits`: digits of the largest line number (0: no line numbers); `list_depth`:
    how many list items the block is in; `admonition`: inside an admonition or a fold (a
    smaller font). Returns the measured width in characters (see CODE_COLUMNS).
    """
    columns = ADMONITION_COLUMNS if admonition else CODE_COLUMNS
    if linenos_digits:
        columns -= LINENOS_COLUMNS + linenos_digits
    return columns - LIST_INDENT_COLUMNS * list_depth


class _CodeBlocks(HTMLParser):
    """Collects the code blocks of a rendered page: text, title, line numbers, context."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, set[str]]] = []
        self.blocks: list[dict[str, Any]] = []
        self.title = ""
        self.linenos = ""
        self.pre_text: list[str] | None = None
        self.in_title = False
        # Tabs ("=== ..."): each set's labels, the tab being read, and the label being read.
        self.tab_sets: list[dict[str, Any]] = []
        self.in_label = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag in {"br", "img", "input", "hr", "meta", "link", "wbr"}:
            return
        self.stack.append((tag, classes))
        if "highlight" in classes:
            self.title, self.linenos = "", ""
        if tag == "span" and "filename" in classes:
            self.in_title = True
        if "tabbed-set" in classes:
            self.tab_sets.append({"labels": [], "tab": -1})
        if tag == "label" and self.tab_sets and self._inside("tabbed-labels"):
            self.tab_sets[-1]["labels"].append("")
            self.in_label = True
        if "tabbed-block" in classes and self.tab_sets:
            self.tab_sets[-1]["tab"] += 1
        if tag == "pre" and "mermaid" not in classes:  # a diagram's source, not code
            self.pre_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag not in {t for t, _ in self.stack}:
            return
        while self.stack:
            open_tag, classes = self.stack.pop()
            if open_tag == "span" and "filename" in classes:
                self.in_title = False
            if open_tag == "label":
                self.in_label = False
            if "tabbed-set" in classes and self.tab_sets:
                self.tab_sets.pop()
            if open_tag == "pre" and self.pre_text is not None:
                self._end_pre("".join(self.pre_text))
                self.pre_text = None
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data
        if self.in_label:
            self.tab_sets[-1]["labels"][-1] += data
        if self.pre_text is not None:
            self.pre_text.append(data)

    def _end_pre(self, text: str) -> None:
        if self._inside("linenos"):
            self.linenos = text
            return
        language = next(
            (
                c.removeprefix("language-")
                for _, cs in self.stack
                for c in cs
                if c.startswith("language-")
            ),
            "",
        )
        numbers = self.linenos.split()
        tab = ""
        if self.tab_sets and 0 <= self.tab_sets[-1]["tab"] < len(self.tab_sets[-1]["labels"]):
            tab = self.tab_sets[-1]["labels"][self.tab_sets[-1]["tab"]].strip()
        self.blocks.append(
            {
                "text": text,
                "title": self.title.strip(),
                "tab": tab,
                "language": language,
                "first": int(numbers[0]) if numbers else 1,
                "limit": code_column(
                    linenos_digits=len(numbers[-1]) if numbers else 0,
                    list_depth=sum(tag == "li" for tag, _ in self.stack),
                    admonition=self._inside("admonition")
                    or any(t == "details" for t, _ in self.stack),
                ),
            }
        )
        self.linenos = ""

    def _inside(self, css_class: str) -> bool:
        return any(css_class in classes for _, classes in self.stack)


def wide_code_lines(html: str) -> list[WideLine]:
    """The lines of the code blocks in a page's HTML that don't fit their block (see
    code_column), in page order; blocks in UNCHECKED_LANGUAGES are left out. Raises nothing.
    """
    parser = _CodeBlocks()
    parser.feed(html)
    parser.close()
    wide = []
    for block in parser.blocks:
        if block["language"] in UNCHECKED_LANGUAGES:
            continue
        lines = unescape(block["text"]).expandtabs().removesuffix("\n").split("\n")
        # Named by its title (an included file), a diff by its tab (the file), else by its
        # first line and its tab ("Linux / macOS").
        first = next((line.strip() for line in lines if line.strip()), "")[:60]
        if block["title"]:
            name = block["title"]
        elif block["language"] == "diff" and block["tab"]:
            name = f"the diff of {block['tab']}"
        else:
            name = f"{first} (tab {block['tab']})" if block["tab"] else first
        for offset, line in enumerate(lines):
            if len(line) > block["limit"]:
                wide.append(WideLine(name, block["first"] + offset, len(line), block["limit"]))
    return wide


_wide_lines: dict[str, list[WideLine]] = {}


def on_pre_build(config: Any) -> None:
    _wide_lines.clear()


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if STEP_PAGE.match(page.file.src_uri):
        wide = wide_code_lines(html)
        if wide:
            _wide_lines[page.file.src_uri] = wide
    return html


def on_post_build(config: Any) -> None:
    if not _wide_lines:
        return
    report = [
        f"  {page}: {line.block}, line {line.number}: {line.width} characters "
        f"(the block shows {line.limit})"
        for page, lines in _wide_lines.items()
        for line in lines
    ]
    raise PluginError(
        f"{len(report)} line(s) of code are wider than the page's code column, so their "
        "blocks scroll sideways on a laptop (1220 px). Wrap them in the file they come from:\n"
        + "\n".join(report)
    )


def on_serve(server: Any, config: Any, builder: Any) -> Any:
    # `mkdocs serve` rebuilds when a step's code changes, not only when a page does.
    server.watch(str(ROOT / "steps"))
    return server
