"""The built step pages fold what a learner should not meet in full before trying.

The site is built once (`mkdocs build --strict`, as `nox -s docs` does, into a temporary
folder) and each step page's HTML is read:

- a whole test file of tests/steps is shown only inside a collapsed <details> fold, with its
  title and line numbers, after the list of the behaviours its new tests check;
- the solution diff is shown only inside a collapsed fold titled "Try it yourself first…",
  with the command that checks the learner's own code above it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tools.behaviours import new_behaviours
from tools.docs_site import DocsBuildFailed, build_site
from tools.steps import ROOT, Step, all_steps

STEP_TESTS = ROOT / "tests" / "steps"
BEHAVIOURS_MARKER = re.compile(r"<!-- behaviours: (tests/steps/[\w/]+\.py) -->")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Fold:
    summary: str = ""
    open: bool = False


@dataclass
class CodeBlock:
    language: str
    folds: list[Fold]  # the <details> it is in, outermost first
    filename: str = ""
    line_numbers: list[str] = field(default_factory=list)
    text: str = ""


@dataclass
class ListItem:
    folds: list[Fold]
    text: str = ""


class PageParser(HTMLParser):
    """The code blocks (with their language, title, line numbers and folds), the list items
    and the paragraphs of a page built by mkdocs-material."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str], object]] = []
        self.blocks: list[CodeBlock] = []
        self.items: list[ListItem] = []
        self.paragraphs: list[str] = []

    def _folds(self) -> list[Fold]:
        return [obj for _, _, obj in self.stack if isinstance(obj, Fold)]

    def _nearest(self, kind: type) -> object | None:
        for _, _, obj in reversed(self.stack):
            if isinstance(obj, kind):
                return obj
        return None

    def _inside(self, tag: str, css: str = "") -> bool:
        return any(
            t == tag and (not css or css in a.get("class", "").split()) for t, a, _ in self.stack
        )

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        values = {name: value or "" for name, value in attrs}
        css = values.get("class", "").split()
        obj: object = None
        if tag == "details":
            obj = Fold(open="open" in values)
        elif tag == "div" and "highlight" in css:
            language = next((c.removeprefix("language-") for c in css if "language-" in c), "")
            obj = CodeBlock(language, self._folds())
            self.blocks.append(obj)
        elif tag == "li":
            obj = ListItem(self._folds())
            self.items.append(obj)
        elif tag == "p":
            self.paragraphs.append("")
        self.stack.append((tag, values, obj))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        block = self._nearest(CodeBlock)
        if isinstance(block, CodeBlock):
            if self._inside("span", "filename"):
                block.filename += data
            elif self._inside("td", "linenos"):
                block.line_numbers += data.split()
            elif self._inside("code") and self._inside("pre"):
                block.text += data
        if self._inside("summary"):
            fold = self._nearest(Fold)
            if isinstance(fold, Fold):
                fold.summary += data
        item = self._nearest(ListItem)
        if isinstance(item, ListItem):
            item.text += data
        if self._inside("p") and self.paragraphs:
            self.paragraphs[-1] += data


# Built once: `nox -s consistency` runs this file on one pytest-xdist worker (--dist loadfile),
# and session scope keeps the site whatever runs in between (7 s a build).
@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The docs, built as `nox -s docs` builds them, into a temporary folder."""
    try:
        return build_site(tmp_path_factory.mktemp("site"))
    except DocsBuildFailed as exc:
        pytest.fail(str(exc), pytrace=False)


def parsed(site: Path, step: Step) -> PageParser:
    parser = PageParser()
    parser.feed((site / "steps" / step.name / "index.html").read_text(encoding="utf-8"))
    parser.close()
    return parser


def step_test_files() -> Iterator[tuple[str, str]]:
    for path in sorted(STEP_TESTS.glob("*.py")):
        source = path.read_text(encoding="utf-8").strip("\n")
        if source:  # not an empty __init__.py
            yield path.relative_to(ROOT).as_posix(), source


STEPS = all_steps()


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.name)
def test_no_whole_test_file_is_shown_outside_a_fold(site, step):
    """A whole file of tests/steps appears only in a collapsed <details>, with title and
    line numbers."""
    sources = dict(step_test_files())
    for block in parsed(site, step).blocks:
        shown = block.text.strip("\n")
        whole = [name for name, source in sources.items() if source == shown]
        if not whole:
            continue
        assert block.folds, f"{step.name}: {whole[0]} is shown in full outside a fold"
        assert not any(fold.open for fold in block.folds), f"{step.name}: {whole[0]}'s fold is open"
        assert block.filename == whole[0], f"{step.name}: {whole[0]} is shown without its title"
        assert block.line_numbers[:1] == ["1"], f"{step.name}: {whole[0]} without line numbers"


@pytest.mark.parametrize("step", STEPS, ids=lambda step: step.name)
def test_the_solution_diff_is_folded(site, step):
    """Every diff on a step page is in a collapsed "Try it yourself first" fold, and the line
    above the fold says how to check one's own code."""
    page = parsed(site, step)
    diffs = [block for block in page.blocks if block.language == "diff"]
    assert diffs, f"{step.name}: no diff on the page"
    for block in diffs:
        assert block.folds, f"{step.name}: the diff is shown outside a fold"
        summary = block.folds[0].summary
        assert summary.startswith("Try it yourself first"), f"{step.name}: fold {summary!r}"
        assert f"how step {step.number} differs from" in summary
        assert not block.folds[0].open, f"{step.name}: the diff's fold is open"
    command = f"uv run nox -s {step.session} -- workspace"
    assert any(command in p and "yourself first" in p for p in page.paragraphs), (
        f"{step.name}: no line above the diff saying to check one's own code first ({command})"
    )


MARKED = [
    (step, name)
    for step in STEPS
    for name in BEHAVIOURS_MARKER.findall(step.docs_page.read_text(encoding="utf-8"))
]


def test_the_pages_that_show_test_files_list_their_behaviours():
    """Pages 01 to 08 list the behaviours of the test files they show (07: two files)."""
    assert [f"{step.number} {Path(name).name}" for step, name in MARKED] == [
        "01 test_hello.py",
        "02 test_validation.py",
        "03 test_items.py",
        "04 test_persistence.py",
        "05 test_structure.py",
        "06 test_register.py",
        "07 test_login.py",
        "07 test_tokens.py",
        "08 test_ownership.py",
    ]


@pytest.mark.parametrize(("step", "name"), MARKED, ids=lambda v: getattr(v, "name", v))
def test_each_new_behaviour_is_listed_outside_the_fold(site, step, name):
    """Each test of the file that is new in the step is a list item, in the docstring's words,
    and the whole file follows in a fold titled "The tests: FILE"."""
    page = parsed(site, step)
    listed = [" ".join(item.text.split()) for item in page.items if not item.folds]
    for behaviour in new_behaviours(ROOT / name, int(step.number)):
        words = " ".join(behaviour.replace("`", "").split())  # `code` shows without backticks
        assert words in listed, f"{step.name}: {behaviour!r} is not listed"
    shown = [block for block in page.blocks if block.filename == name]
    titles = [block.folds[-1].summary if block.folds else "" for block in shown]
    assert titles == [f"The tests: {name}"], f"{step.name}: {name} is not in its own fold"
    whole = (ROOT / name).read_text(encoding="utf-8").strip("\n")
    assert shown[0].text.strip("\n") == whole, f"{step.name}: the fold doesn't hold all of {name}"
