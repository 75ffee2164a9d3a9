"""The repository's consistency checks, run as tests by `nox -s consistency` (tests/repo/).

Each check takes the repository's root (a temporary tree in the checks' own tests) and returns
a list of problems, each saying where and what to fix; an empty list means the check holds.

- steps/ is numbered 01, 02, … with no gap, no duplicate and no misnamed folder;
- every step has its page docs/steps/NN-slug.md, listed in mkdocs.yml's nav (and no page is
  left for a step that no longer exists);
- every snippet include in docs/ (`--8<-- "path"`, `"path:3:10"`, `"path:section"`) names an
  existing file inside the repository, and its line range or section is in that file; the
  block's hl_lines lie within it, and a line highlighted alone is code (not blank, not a
  comment: a stale number);
- every `nox -s NAME` written as code in docs/ or README.md names an existing session;
- every `fastapi dev FOLDER/app/main.py` written as code there says `--reload-dir FOLDER`;
- every `python -c "CODE"` written as code there is Python that compiles (what the one-liners
  that read workshop.db print is checked by running them: tests/repo/test_docs_commands.py);
- every steps/…, tests/… or docs/… path written in docs/ or README.md exists (paths may use
  the placeholders NN, NN-slug, …, * and {a,b}; workspace/… is the learner's and not checked).

Standard library only.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from tools.steps import STEP_DIR_RE
from tools.symbols import SYMBOL_TARGET, symbol_range

# -- steps and pages ---------------------------------------------------------------------


def step_dirs(root: Path) -> list[tuple[str, str]]:
    """(number, name) of every folder under steps/ named NN-slug, in order."""
    steps_dir = root / "steps"
    if not steps_dir.is_dir():
        return []
    return [
        (match["number"], child.name)
        for child in sorted(steps_dir.iterdir())
        if child.is_dir() and (match := STEP_DIR_RE.match(child.name))
    ]


def check_step_numbering(root: Path) -> list[str]:
    """Step folders are NN-slug, numbered from 01 with no gap and no duplicate."""
    problems = []
    steps_dir = root / "steps"
    if not steps_dir.is_dir():
        return [f"{steps_dir} is missing: there are no steps."]
    for child in sorted(steps_dir.iterdir()):
        hidden = child.name.startswith((".", "__"))
        if child.is_dir() and not hidden and not STEP_DIR_RE.match(child.name):
            problems.append(
                f"steps/{child.name}: not named NN-slug (two digits, a dash, lower-case "
                "words joined by dashes), so no session, test run or page knows it."
            )
    numbers = [number for number, _ in step_dirs(root)]
    if not numbers:
        problems.append("steps/ holds no step (a folder named NN-slug).")
        return problems
    for number in sorted(set(numbers)):
        if numbers.count(number) > 1:
            names = [name for n, name in step_dirs(root) if n == number]
            problems.append(f"step {number} is used by more than one folder: {', '.join(names)}.")
    expected = [f"{n:02d}" for n in range(1, len(set(numbers)) + 1)]
    found = sorted(set(numbers))
    if found != expected:
        missing = sorted(set(expected) - set(numbers))
        problems.append(
            f"step numbers must run 01, 02, … without a gap; found {', '.join(found)}"
            + (f" (missing {', '.join(missing)})." if missing else ".")
        )
    return problems


NAV_PAGE = re.compile(r"[\w./-]+\.md\b")


def nav_pages(mkdocs_yml: Path) -> set[str]:
    """The pages listed in mkdocs.yml's nav (read without a YAML library: paths ending in .md)."""
    pages: set[str] = set()
    in_nav = False
    for line in mkdocs_yml.read_text(encoding="utf-8").splitlines():
        if re.match(r"^nav\s*:", line):
            in_nav = True
            continue
        if in_nav and line.strip() and not line[0].isspace() and not line.startswith("-"):
            break  # the next top-level key
        if in_nav and not line.lstrip().startswith("#"):
            pages.update(NAV_PAGE.findall(line))
    return pages


def check_step_pages(root: Path) -> list[str]:
    """Every step has docs/steps/NN-slug.md, in mkdocs.yml's nav; no page outlives its step."""
    problems = []
    nav = nav_pages(root / "mkdocs.yml")
    names = {name for _, name in step_dirs(root)}
    for name in sorted(names):
        page = f"steps/{name}.md"
        if not (root / "docs" / page).is_file():
            problems.append(f"step {name} has no page: write docs/{page} (see docs/steps/01-*).")
        elif page not in nav:
            problems.append(f"docs/{page} is not in mkdocs.yml's nav: add it under Steps.")
    pages_dir = root / "docs" / "steps"
    if pages_dir.is_dir():
        for page in sorted(pages_dir.glob("*.md")):
            if page.stem not in names:
                problems.append(
                    f"docs/steps/{page.name} belongs to no step (there is no steps/{page.stem}/): "
                    "rename or remove it."
                )
    return problems


def check_pure_refactors(root: Path, declared: Iterable[str]) -> list[str]:
    """Each step declared a pure refactor exists and has a previous step."""
    numbers = [number for number, _ in step_dirs(root)]
    problems = []
    for number in sorted(declared):
        if number not in numbers:
            problems.append(f"PURE_REFACTORS names step {number!r}, which does not exist.")
        elif number == numbers[0]:
            problems.append(f"PURE_REFACTORS names step {number}, which has no previous step.")
    return problems


# -- reading the docs --------------------------------------------------------------------


def markdown_files(root: Path) -> list[Path]:
    """What a learner reads: every page under docs/, and README.md."""
    files = sorted((root / "docs").rglob("*.md")) if (root / "docs").is_dir() else []
    readme = root / "README.md"
    return [*files, readme] if readme.is_file() else files


def where(root: Path, path: Path, lineno: int) -> str:
    return f"{path.relative_to(root).as_posix()}:{lineno}"


FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")


# A command continued on the next line: ` \\` (bash, zsh) or ` `` (PowerShell) at the end.
CONTINUED = re.compile(r"\s(?:\\|`)$")


def code_snippets(text: str) -> Iterator[tuple[int, str]]:
    """(line number, code) for every line of a fenced block and every inline `code span`.

    A fenced line that ends with a continuation (` \\`, or PowerShell's ` ``) is joined with
    the lines it continues, as one line numbered by its first, so that a command split to fit
    the page is read whole. A fenced line that opens a double quote it doesn't close (`python
    -c "import sqlite3` and the program's next lines) is joined with the lines up to the one
    that closes it, with their line breaks kept: the code as the shell passes it.
    """
    fence = None
    continued: tuple[int, str] | None = None
    for lineno, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if fence is None and match:
            fence = match[1]
            continue
        if fence is not None:
            if match and match[1][0] == fence[0] and len(match[1]) >= len(fence):
                fence = None
                if continued:
                    yield continued
                continued = None
                continue
            if continued and continued[1].count('"') % 2:  # inside an open "…"
                continued = (continued[0], f"{continued[1]}\n{line}")
            elif continued:
                continued = (continued[0], f"{continued[1]} {line.strip()}")
            else:
                continued = (lineno, line)
            if continued[1].count('"') % 2:
                continue
            if CONTINUED.search(continued[1]):
                continued = (continued[0], continued[1][:-1].rstrip())
            else:
                yield continued
                continued = None
            continue
        for span in CODE_SPAN.finditer(line):
            yield lineno, span[2]
    if continued:
        yield continued


# -- snippet includes --------------------------------------------------------------------

INLINE_SNIPPET = re.compile(
    r"^[ \t]*(?P<escape>;*)-{1,}8<-{1,}[ \t]+"
    r"""(?P<quoted>"(?:\\"|[^"\n])+?"|'(?:\\'|[^'\n])+?')\s*$"""
)
BLOCK_MARKER = re.compile(r"^[ \t]*(?P<escape>;*)-{1,}8<-{1,}\s*$")
LINE_RANGES = re.compile(r"^(.*?)((?::-?\d*){1,2}(?:,-?\d*(?::-?\d*)?)*)$")
SECTION = re.compile(r"^(.*?):([a-z][-_0-9a-z]*)$", re.IGNORECASE)


def snippet_includes(text: str) -> Iterator[tuple[int, str]]:
    """(line number, target) of each include, as pymdownx.snippets reads them."""
    in_block = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        inline = INLINE_SNIPPET.match(line)
        block = BLOCK_MARKER.match(line)
        if inline and not inline["escape"] and not in_block:
            yield lineno, inline["quoted"][1:-1].strip()
        elif block and not block["escape"]:
            in_block = not in_block
        elif in_block:
            target = line.strip()
            if target and not target.startswith(";"):
                yield lineno, target


def split_target(target: str) -> tuple[str, str | None, str | None]:
    """ "f.py:3:10" -> ("f.py", ":3:10", None); "f.py:intro" -> ("f.py", None, "intro")."""
    match = LINE_RANGES.match(target)
    if match and ":" in match[2] and re.search(r"\d", match[2]):
        return match[1], match[2], None
    match = SECTION.match(target)
    if match:
        return match[1], None, match[2]
    return target, None, None


def check_range(ranges: str, total: int) -> str | None:
    """None if every range of ":3:10,12:14" lies within a file of `total` lines."""
    for part in ranges[1:].split(","):
        bounds = part.split(":")
        numbers = [int(b) for b in bounds if b]
        for number in numbers:
            if number == 0 or abs(number) > total:
                return f"line {number} is outside the file, which has {total} lines"
        if len(bounds) == 2 and bounds[0] and bounds[1]:
            start, end = (int(b) if int(b) > 0 else total + 1 + int(b) for b in bounds)
            if start > end:
                return f"the range {part} runs backwards"
    return None


def included_lines(ranges: str | None, total: int) -> tuple[int, int] | None:
    """(first line, number of lines) that a whole file or one positive range includes."""
    if ranges is None:
        return 1, total
    bounds = ranges[1:].split(":")
    if "," in ranges or any(b.startswith("-") for b in bounds):
        return None
    start = int(bounds[0]) if bounds[0] else 1
    end = int(bounds[1]) if len(bounds) > 1 and bounds[1] else total
    return start, end - start + 1


FENCE_OPTION = re.compile(r'\b(linenums|hl_lines)="([^"]*)"')


def check_fence_options(
    fence_line: str, first: int, count: int, code: list[str] | None = None
) -> str | None:
    """A code block's linenums must be the included lines' own numbers; hl_lines inside it.

    With `code`, the block's lines: a line highlighted alone must be code, not a blank line or
    a comment (hl_lines are numbers written by hand; when the included file grows above them,
    they point at other lines, often a comment or a gap).
    """
    options = dict(FENCE_OPTION.findall(fence_line))
    if "linenums" in options and options["linenums"].split()[0] != str(first):
        return (
            f'linenums="{options["linenums"]}" but the included code starts at line {first} '
            f'of its file: write linenums="{first}"'
        )
    highest = max((int(n) for n in re.findall(r"\d+", options.get("hl_lines", ""))), default=0)
    if highest > count:
        return (
            f'hl_lines="{options["hl_lines"]}" highlights line {highest} of the block, which '
            f"holds {count} lines (hl_lines count from the block's first line)"
        )
    for single in re.findall(r"(?<![-\d])\d+(?![-\d])", options.get("hl_lines", "")):
        line = code[int(single) - 1].strip() if code else "code"
        if not line or line.startswith("#"):
            return (
                f'hl_lines="{options["hl_lines"]}" highlights line {single} of the block, '
                f"which is {'a comment' if line else 'blank'}: the included code has moved "
                "since the numbers were written. Highlight the lines the text speaks of"
            )
    return None


def check_symbol_include(
    root: Path, at: str, target: str, symbol: re.Match[str], around: list[str]
) -> list[str]:
    """An include by symbol (`file.py::name`, `::A..B`): the file defines them, in order.

    The docs hook sets the block's linenums; its hl_lines must lie within the included lines.
    """
    path = root / symbol["path"]
    if not path.is_file():
        return [f"{at}: includes {symbol['path']}, which does not exist."]
    try:
        first, last = symbol_range(path, symbol["first"], symbol["last"])
    except (LookupError, SyntaxError) as exc:
        return [f"{at}: includes {target}, but {exc}."]
    fence_line = around[0] if around else ""
    if FENCE.match(fence_line):
        options = dict(FENCE_OPTION.findall(fence_line))
        options.pop("linenums", None)  # the hook writes the right one
        code = path.read_text(encoding="utf-8").splitlines()[first - 1 : last]
        error = check_fence_options(
            " ".join(f'{k}="{v}"' for k, v in options.items()), 1, last - first + 1, code
        )
        if error:
            return [f"{at}: {error}."]
    return []


def check_snippets(root: Path) -> list[str]:
    """Every include in docs/ names a file in the repository, and its range or section is in it.

    When the include is the first line of a code block, the block's linenums must be the
    included code's first line and its hl_lines must lie within the included lines.
    """
    problems = []
    docs = root / "docs"
    for page in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
        lines = page.read_text(encoding="utf-8").splitlines()
        for lineno, target in snippet_includes("\n".join(lines)):
            at = where(root, page, lineno)
            if target.lower().startswith(("http://", "https://")):
                problems.append(f"{at}: includes a URL ({target}); the docs must build offline.")
                continue
            symbol = SYMBOL_TARGET.match(target)
            if symbol:
                problems += check_symbol_include(
                    root, at, target, symbol, lines[lineno - 2 : lineno - 1]
                )
                continue
            name, ranges, section = split_target(target)
            path = (root / name).resolve()
            if not path.is_relative_to(root.resolve()):
                problems.append(f"{at}: includes {name}, which is outside the repository.")
                continue
            if not path.is_file():
                problems.append(f"{at}: includes {name}, which does not exist.")
                continue
            text = path.read_text(encoding="utf-8")
            total = len(text.splitlines())
            if ranges:
                error = check_range(ranges, total)
                if error:
                    problems.append(f"{at}: includes {target}, but {error}.")
                    continue
            if section:
                missing = [
                    f"'--8<-- [{kind}:{section}]'"
                    for kind in ("start", "end")
                    if not re.search(rf"8<-+\s+\[\s*{kind}\s*:\s*{re.escape(section)}\s*\]", text)
                ]
                if missing:
                    problems.append(
                        f"{at}: includes {target}, but {name} has no {' or '.join(missing)} marker."
                    )
                continue
            fence_line = lines[lineno - 2] if lineno >= 2 else ""
            selected = included_lines(ranges, total)
            if FENCE.match(fence_line) and selected:
                start, count = selected
                code = text.splitlines()[start - 1 : start - 1 + count]
                error = check_fence_options(fence_line, start, count, code)
                if error:
                    problems.append(f"{at}: {error}.")
    return problems


# -- nox commands ------------------------------------------------------------------------

NOX_COMMAND = re.compile(r"(?<![\w-])nox((?:[ \t]+[^\s#|;&`]+)*)")
SESSION_FLAGS = {"-s", "-e", "--session", "--sessions"}


def sessions_named(code: str) -> Iterator[str]:
    """The session names of every `nox -s NAME …` in a line of code."""
    for command in NOX_COMMAND.finditer(code):
        tokens = command[1].split()
        for index, token in enumerate(tokens):
            if token in SESSION_FLAGS:
                for name in tokens[index + 1 :]:
                    if name.startswith("-"):
                        break
                    yield name
            elif token == "--":
                break


def check_commands(root: Path, sessions: Iterable[str]) -> list[str]:
    """Every `nox -s NAME` written as code in docs/ or README.md names an existing session."""
    known = set(sessions)
    problems = []
    for page in markdown_files(root):
        for lineno, code in code_snippets(page.read_text(encoding="utf-8")):
            for name in sessions_named(code):
                if name not in known:
                    problems.append(
                        f"{where(root, page, lineno)}: `nox -s {name}`: there is no session "
                        f"{name!r} (`uv run nox -l` lists them)."
                    )
    return problems


# -- fastapi dev commands ------------------------------------------------------------------

DEV_COMMAND = re.compile(r"fastapi dev\s+(?P<folder>\S+?)/app/main\.py(?P<rest>[^`]*)")


def check_dev_commands(root: Path) -> list[str]:
    """Every `fastapi dev FOLDER/app/main.py` written as code in docs/ or README.md also says
    `--reload-dir FOLDER`: run from the root without it, the server watches the whole
    repository (.venv/ and .nox/ included), starts slower and restarts on unrelated changes."""
    problems = []
    for page in markdown_files(root):
        for lineno, code in code_snippets(page.read_text(encoding="utf-8")):
            for command in DEV_COMMAND.finditer(code):
                folder = command["folder"]
                if f"--reload-dir {folder}" not in command["rest"]:
                    problems.append(
                        f"{where(root, page, lineno)}: `fastapi dev {folder}/app/main.py` "
                        f"without `--reload-dir {folder}`: add it, so that the server "
                        "watches that code only."
                    )
    return problems


# -- python -c one-liners ------------------------------------------------------------------

PYTHON_ONE_LINER = re.compile(
    r"""\bpython3?(?:\.exe)? -c (?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')"""
)


def python_one_liners(code: str) -> Iterator[str]:
    """The CODE of every `python -c "CODE"` (or 'CODE') in a line of code."""
    for match in PYTHON_ONE_LINER.finditer(code):
        yield match["double"] if match["double"] is not None else match["single"]


def check_python_one_liners(root: Path) -> list[str]:
    """Every `python -c "CODE"` written as code in docs/ or README.md compiles as Python."""
    problems = []
    for page in markdown_files(root):
        for lineno, code in code_snippets(page.read_text(encoding="utf-8")):
            for source in python_one_liners(code):
                try:
                    compile(source, "<python -c>", "exec")
                except SyntaxError as exc:
                    problems.append(
                        f"{where(root, page, lineno)}: `python -c` runs code that is not valid "
                        f"Python ({exc.msg}): {source}"
                    )
    return problems


def sessions_in_noxfile(root: Path) -> set[str]:
    """The sessions of noxfile.py, read without importing nox (for a run outside nox).

    Functions decorated with @nox.session (under their name, or name="…"), plus step-NN for
    every step (the noxfile makes those in a loop). `nox -s consistency` passes the real list.
    """
    tree = ast.parse((root / "noxfile.py").read_text(encoding="utf-8"))
    names = {f"step-{number}" for number, _ in step_dirs(root)}
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for decorator in node.decorator_list:
            call = decorator if isinstance(decorator, ast.Call) else None
            target = call.func if call else decorator
            if ast.unparse(target) not in {"nox.session", "session"}:
                continue
            explicit = [
                kw.value.value
                for kw in (call.keywords if call else [])
                if kw.arg == "name" and isinstance(kw.value, ast.Constant)
            ]
            names.add(explicit[0] if explicit else node.name)
    return names


# -- paths written in the docs -----------------------------------------------------------

PATH = re.compile(r"(?<![\w./\\-])(?:steps|tests|docs)/(?:[\w.\-/*…]|\{[\w.,\-/]*\})*")
LINK_TARGET = re.compile(r"\]\([^)]*\)|^\s*\[[^\]]+\]:\s*\S+|\b(?:href|src)=\"[^\"]*\"")
URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)
BRACES = re.compile(r"\{([^{}]*)\}")


def expand_braces(path: str) -> list[str]:
    """ "a/{b,c}.py" -> ["a/b.py", "a/c.py"]."""
    match = BRACES.search(path)
    if not match:
        return [path]
    return [
        expanded
        for choice in match[1].split(",")
        for expanded in expand_braces(path[: match.start()] + choice + path[match.end() :])
    ]


def as_glob(path: str) -> str:
    """Placeholders to glob patterns: NN-slug -> [0-9][0-9]-*, NN -> [0-9][0-9], … -> *."""
    path = path.replace("NN-slug", "[0-9][0-9]-*")
    path = re.sub(r"\bNN\b", "[0-9][0-9]", path)
    return path.replace("…", "*").replace("...", "*")


def path_exists(root: Path, written: str) -> bool:
    for path in expand_braces(written):
        pattern = as_glob(path).rstrip("/")
        if any(char in pattern for char in "*?["):
            if not any(root.glob(pattern)):
                return False
        elif not (root / pattern).exists():
            return False
    return True


def paths_written(text: str) -> Iterator[tuple[int, str]]:
    """(line number, path) of every steps/…, tests/… and docs/… path, outside links and URLs."""
    for lineno, line in enumerate(text.splitlines(), start=1):
        line = URL.sub(" ", LINK_TARGET.sub(" ", line))
        for match in PATH.finditer(line):
            path = match[0]
            while path.endswith(".") and not path.endswith("..."):
                path = path[:-1]
            yield lineno, path


def check_paths(root: Path) -> list[str]:
    """Every steps/…, tests/… or docs/… path written in docs/ or README.md exists.

    On a step's page (docs/steps/NN-slug.md), a path may also be one inside that step's
    folder: from step 09, pytest's output there names the step's own tests/test_x.py.
    """
    problems = []
    for page in markdown_files(root):
        step_dir = root / "steps" / page.stem
        in_step = page.parent == root / "docs" / "steps" and step_dir.is_dir()
        for lineno, path in paths_written(page.read_text(encoding="utf-8")):
            if not (path_exists(root, path) or (in_step and path_exists(step_dir, path))):
                problems.append(f"{where(root, page, lineno)}: {path} does not exist.")
    return problems
