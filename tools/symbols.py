"""Where a Python definition starts and ends, for includes by symbol (standard library only).

`--8<-- "steps/04-database/app/main.py::lifespan"` includes one top-level definition (a
function, class or assignment, with its decorators and the comment lines just above it);
`::ItemBase..ItemPublic` from one definition to another; `::AppUnderTest.load` a method.
The docs hook (tools/docs_hooks.py) turns these into line ranges at build time; the repo
checks (tools/repo_checks.py) use the same rules to check them without building the docs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

# The pattern of tools/docs_hooks.py (SYMBOL_INCLUDE), so both read an include alike: there,
# "file.py::3" is a symbol too, not pymdownx's "up to line 3".
SYMBOL_TARGET = re.compile(r"^(?P<path>[^\":]+\.py)::(?P<first>[\w.]+?)(?:\.\.(?P<last>[\w.]+))?$")


def defined_names(node: ast.stmt) -> set[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign | ast.AugAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def symbol_span(path: Path, name: str) -> tuple[int, int]:
    """First and last line (1-based) of the definition called `name` ("Class.method" works).

    Raises LookupError when the file defines no such name.
    """
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    body: list[ast.stmt] = ast.parse(text).body
    node: ast.stmt | None = None
    for part in name.split("."):
        node = next((n for n in body if part in defined_names(n)), None)
        if node is None:
            raise LookupError(f"{path.name} defines no {name!r}")
        body = getattr(node, "body", [])
    assert node is not None and node.end_lineno is not None
    first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
    while first > 1 and lines[first - 2].strip().startswith("#"):
        first -= 1  # the comment that introduces it belongs with it
    return first, node.end_lineno


def symbol_range(path: Path, first: str, last: str | None = None) -> tuple[int, int]:
    """The lines from the start of `first` to the end of `last` (default: `first` itself)."""
    start, _ = symbol_span(path, first)
    _, end = symbol_span(path, last or first)
    if end < start:
        raise LookupError(f"{last} comes before {first} in {path.name}")
    return start, end
