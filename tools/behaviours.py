"""The behaviours the step tests check, in the learner's words: one wording for two readers.

A test in tests/steps says what it checks in the first line of its docstring, and which steps
it applies to with `@pytest.mark.steps("07+")`. The harness (tests/steps/conftest.py) prints
that line for a failing test (`behaviour`), and selects the tests of a step with
`step_range_matches`. The docs hook (tools/docs_hooks.py) lists a page's new behaviours from
the same source, read here without importing the tests (`new_behaviours`), so the list on a
page can't drift from the tests, nor word a behaviour differently from a failure summary.

Standard library only (the docs' virtualenv has no pytest).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


def step_range_matches(spec: str, step: int) -> bool:
    """'03' is step 3 only, '03-07' steps 3 to 7, '08+' step 8 and every later one.

    In: one argument of a `steps` marker and a step's number. Out: whether the marker's test
    applies to that step. Raises ValueError for a spec that isn't one of those forms."""
    if spec.endswith("+"):
        return step >= int(spec[:-1])
    first, _, last = spec.partition("-")
    return int(first) <= step <= int(last or first)


def behaviour(docstring: str | None, name: str) -> str:
    """What a test checks, in plain words: its (cleaned) docstring's first paragraph, joined
    into one line (the tests are wrapped at the docs' code width), else its name.

    In: the docstring as inspect.getdoc or ast.get_docstring give it (None if there is none),
    and the test's name. Out: one line. Raises nothing."""
    if not docstring or not docstring.strip():
        return name
    return " ".join(docstring.strip().split("\n\n")[0].split())


@dataclass(frozen=True)
class StepTest:
    """One test function of a file in tests/steps, as its source declares it."""

    name: str  # "test_login_answers_a_bearer_token"
    behaviour: str  # "POST /auth/login with the right email and password answers 200 …"
    ranges: tuple[str, ...]  # the `steps` marker's arguments: ("07+",)

    def applies_to(self, step: int) -> bool:
        return any(step_range_matches(spec, step) for spec in self.ranges)


def _steps_marker(decorator: ast.expr) -> tuple[str, ...] | None:
    if not (isinstance(decorator, ast.Call) and ast.unparse(decorator.func) == "pytest.mark.steps"):
        return None
    if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in decorator.args):
        raise ValueError(f"@{ast.unparse(decorator)}: the step ranges must be written as strings")
    return tuple(a.value for a in decorator.args)  # type: ignore[attr-defined]


def step_tests_in(path: Path) -> list[StepTest]:
    """The test functions of one file of tests/steps, in the file's order.

    In: the file's path. Out: a StepTest for each top-level function named test_*. Raises
    OSError if the file can't be read, SyntaxError if it isn't Python, and ValueError for a
    test without a `@pytest.mark.steps(...)` marker of literal ranges (the harness refuses
    those too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if not node.name.startswith("test_"):
            continue
        markers = [m for m in map(_steps_marker, node.decorator_list) if m]
        if not markers or not markers[0]:
            raise ValueError(
                f"{path.name}:{node.lineno}: {node.name} has no @pytest.mark.steps(...) marker"
            )
        docstring = ast.get_docstring(node, clean=True)
        found.append(StepTest(node.name, behaviour(docstring, node.name), markers[0]))
    return found


def new_behaviours(path: Path, step: int) -> list[str]:
    """The behaviours of the tests in one file that are new in a step.

    In: a test file and a step's number. Out: the behaviour of each test that applies to that
    step and not to the one before it, in the file's order, each once. Raises what
    step_tests_in raises."""
    tests = [t for t in step_tests_in(path) if t.applies_to(step) and not t.applies_to(step - 1)]
    return list(dict.fromkeys(t.behaviour for t in tests))


def behaviours_markdown(path: Path, shown: str, step: int) -> str:
    """A Markdown list of the behaviours new in `step` among the tests of `path`.

    In: the test file, its path as the page names it ("tests/steps/test_login.py"), the step's
    number. Out: a bulleted list, one behaviour a line. Raises LookupError when no test of the
    file is new in that step (the page would promise a list and show none), and what
    step_tests_in raises."""
    found = new_behaviours(path, step)
    if not found:
        raise LookupError(f"no test in {shown} is new in step {step:02d}")
    return "\n".join(f"- {_escaped(text)}" for text in found)


def _escaped(text: str) -> str:
    # A behaviour is plain words: keep Markdown from reading *, _, {…} or <…> in it as markup
    # (`/items/{id}`, `<a 30-digit number>`). Text inside `code` stays as it is.
    parts = text.split("`")
    for index in range(0, len(parts), 2):  # outside backticks
        for char in "\\*_[]{}":
            parts[index] = parts[index].replace(char, "\\" + char)
        parts[index] = parts[index].replace("<", "&lt;")
    return "`".join(parts)
