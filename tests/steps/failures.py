"""What a learner reads when a step's check fails, in place of pages of
traceback.

For each failing test: the behaviour (its docstring's first line), the
line of the error that names the cause (not only its first line: "1
validation error:" says nothing, the
`input: <coroutine object AsyncSession.get>` under it says everything),
the place in the learner's code, and, for the common mistakes, a hint that
names the fix. Tests that fail for the same cause at the same place are
listed together, under that cause, once.

tests/steps/conftest.py calls `explain` for each failing test (in the
process that ran it, where the exception still exists) and `summary` at
the end (from the reports' plain strings, which also travel from
pytest-xdist's workers).
"""

from __future__ import annotations

import ast
import re
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_CAUSE = 240  # characters of a cause line
MAX_LISTED = 4  # behaviours listed under one cause before "… and N more"

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
COROUTINE = re.compile(r"\bcoroutine\b")
# "<coroutine object AsyncSession.get at 0x…>",
# "coroutine 'AsyncSession.commit' was never awaited"
COROUTINE_NAME = re.compile(
    r"<coroutine object ([\w.]+)|coroutine '([\w.]+)'"
)
NOT_NULL = re.compile(
    r"NOT NULL constraint failed|violates not-null constraint"
)
NO_ROUTE_IN_OPENAPI = re.compile(
    r"/openapi\.json has no (GET|POST|PUT|PATCH|DELETE) (/\S*)"
)
# A test's message about a request no route matched (Starlette's 404), in
# a client the harness doesn't watch (a server of the test's own)
ANSWERED_NOT_FOUND = re.compile(
    r"\b(GET|POST|PUT|PATCH|DELETE) (/\S*) answered 404 "
    r'\{"detail":"Not Found"\}'
)


@dataclass(frozen=True)
class Failure:
    """One failing test, in plain strings (what a pytest report can
    carry)."""

    nodeid: str
    behaviour: str
    cause: str
    # "workspace/app/main.py:121 in get_item_or_404: item =
    # session.get(…)"
    where: str = ""
    hint: str = ""  # a key of HINTS or FIXED_HINTS, or ""
    # What the hint names: a coroutine's function, the missing routes
    detail: str = ""


@dataclass(frozen=True)
class ServerError:
    """An error the app logged with its traceback while a test ran, as
    text (from step 10 an unhandled error is answered with a plain 500,
    and logged): the test's "answered 500" says no more."""

    cause: str  # cause_of the exception
    where: str  # where_in the app's code, or ""
    text: str  # the exception's message, for the hints


def server_error(exc: BaseException, app_dir: Path) -> ServerError:
    """The ServerError of an exception the app logged. Raises nothing."""
    return ServerError(
        cause_of(exc), where_in(exc, app_dir), str(exc)[: MAX_CAUSE * 4]
    )


# A test's message about a server error: "but POST /items answered 500"
ANSWERED_5XX = re.compile(r"\banswered 5\d\d\b")
# "expected 200, but GET /auth/me answered 401", "… is valid, but got 401"
ANSWERED_401 = re.compile(r"\b(?:answered|got) 401\b")

# -- one failing test ----------------------------------------------------


def _shorten(text: str, width: int = MAX_CAUSE) -> str:
    text = ADDRESS.sub("", " ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def _validation_errors(exc: BaseException) -> list[dict[str, Any]]:
    """The errors of a Pydantic or FastAPI validation error (their public
    errors()), or []."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return []
    try:
        found = list(errors())
    except Exception:
        return []
    return (
        found if all(isinstance(error, dict) for error in found) else []
    )


def _one_error(error: dict[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()))
    text = (
        f"{loc}: {error.get('msg', '')}"
        if loc
        else str(error.get("msg", ""))
    )
    if "input" in error:
        text += f", input: {error['input']!r}"
    return text


def cause_of(exc: BaseException) -> str:
    """The line that names the cause: "Type: message", a validation error
    with its input."""
    name = type(exc).__name__
    errors = _validation_errors(exc)
    if errors:
        more = f" (and {len(errors) - 2} more)" if len(errors) > 2 else ""
        return _shorten(
            f"{name}: "
            + "; ".join(_one_error(e) for e in errors[:2])
            + more
        )
    lines = [
        line.strip() for line in str(exc).splitlines() if line.strip()
    ]
    if not lines:
        return name
    text = lines[0]
    # A first line that announces what follows ("3 errors:") says nothing
    # by itself.
    if text.endswith(":") and len(lines) > 1:
        text += " " + lines[1]
    return _shorten(f"{name}: {text}")


def _inside(filename: str, folder: Path) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(folder)
    except (OSError, ValueError):
        return False


def where_in(exc: BaseException, app_dir: Path) -> str:
    """The deepest line of the app under test that the error went through,
    or ""."""
    app_dir = app_dir.resolve()
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        # Raised by the parser: the learner's line is not in a traceback
        if not _inside(exc.filename, app_dir):
            return ""
        shown = (
            Path(exc.filename).resolve().relative_to(app_dir.parent)
        ).as_posix()
        return _shorten(
            f"{shown}:{exc.lineno}: {(exc.text or '').strip()}".rstrip(
                ": "
            ),
            160,
        )
    frames = [
        f
        for f in traceback.extract_tb(exc.__traceback__)
        if _inside(f.filename, app_dir)
    ]
    if frames:
        filename, lineno, function, line = (
            frames[-1].filename,
            frames[-1].lineno,
            frames[-1].name,
            frames[-1].line or "",
        )
    else:
        # FastAPI's validation errors name the endpoint they come from.
        filename = getattr(exc, "endpoint_file", None) or ""
        lineno = getattr(exc, "endpoint_line", None)
        function = getattr(exc, "endpoint_function", None) or "?"
        if not (filename and lineno and _inside(filename, app_dir)):
            return ""
        path = getattr(exc, "endpoint_path", None)
        line = f"the endpoint of {path}" if path else ""
    shown = (
        Path(filename).resolve().relative_to(app_dir.parent).as_posix()
    )
    return _shorten(
        f"{shown}:{lineno}, in {function}: {line.strip()}".rstrip(": "),
        160,
    )


def _routes(openapi: dict[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
    found = []
    for template, operations in (openapi.get("paths") or {}).items():
        pattern = re.compile(
            "^"
            + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
            + "$"
        )
        found += [(method.upper(), pattern) for method in operations]
    return found


def missing_routes(
    not_found: Iterable[tuple[str, str]], app: Any
) -> list[str]:
    """Of the requests that answered 404 Not Found, those that no route of
    the app's OpenAPI document matches ("POST /auth/register"); [] when
    the app has no OpenAPI document."""
    try:
        routes = _routes(app.openapi())
    except Exception:
        return []
    missing = []
    for method, path in not_found:
        if not any(m == method and p.match(path) for m, p in routes):
            missing.append(f"{method} {path}")
    return list(dict.fromkeys(missing))


def explain(
    nodeid: str,
    behaviour: str,
    exc: BaseException | None,
    message: str,
    app_dir: Path,
    last_method: str | None = None,
    not_found: Sequence[str] = (),
    server_errors: Sequence[ServerError] = (),
    own_token_refused: bool = False,
) -> Failure:
    """One failing test explained.

    In: the test's id and behaviour, the exception it failed with (None if
    there is none, then `message`, pytest's text of the failure, is used),
    the app's folder, the HTTP method of the test's last request, the
    routes it requested that the app doesn't have (missing_routes), and
    the errors the app logged (server_error), and whether the app answered
    401 to a token it had issued at login. Out: a Failure; when the test
    says the app answered 5xx and the app logged an error, the cause names
    the last one, and points at it in the app. Raises nothing for any
    exception it is given."""
    cause = (
        cause_of(exc)
        if exc is not None
        else _shorten(message.strip().splitlines()[0])
    )
    where = where_in(exc, app_dir) if exc is not None else ""
    full = f"{cause} {exc!s}" if exc is not None else message
    if server_errors and ANSWERED_5XX.search(full):
        logged = server_errors[-1]
        cause = _shorten(
            f"{_shorten(cause, MAX_CAUSE // 2)}; the app raised "
            f"{logged.cause}"
        )
        where = where or logged.where
        full += f" {logged.cause} {logged.text}"
    routes = list(not_found)
    routes += [
        f"{m} {p}"
        for m, p in NO_ROUTE_IN_OPENAPI.findall(full)
        if f"{m} {p}" not in routes
    ]
    if routes:
        return Failure(
            nodeid,
            behaviour,
            cause,
            where,
            "missing-route",
            ", ".join(routes),
        )
    if COROUTINE.search(full):
        named = COROUTINE_NAME.search(full)
        return Failure(
            nodeid,
            behaviour,
            cause,
            where,
            "missing-await",
            (named[1] or named[2]) if named else "",
        )
    if NOT_NULL.search(full) and last_method == "PATCH":
        return Failure(nodeid, behaviour, cause, where, "exclude-unset")
    if own_token_refused and ANSWERED_401.search(full):
        return Failure(
            nodeid, behaviour, cause, where, "own-token-refused"
        )
    return Failure(nodeid, behaviour, cause, where)


def import_failure(
    nodeid: str, behaviour: str, exc: BaseException, app_dir: Path
) -> Failure:
    """A test that failed because app.main could not be imported.

    In: the test's id and behaviour, the error the import raised, the
    app's folder. Out: a Failure whose cause is that error (a settings
    ValidationError with its field and message, not only "1 validation
    error for Settings"), at the line of the app that raised it. Raises
    nothing."""
    return Failure(
        nodeid,
        behaviour,
        _shorten(f"app.main could not be imported: {cause_of(exc)}"),
        where_in(exc, app_dir),
        "import-error",
    )


# -- the summary ---------------------------------------------------------


# The methods of SQLAlchemy's AsyncSession that must be awaited: what a
# missing `await` in the workshop's apps is almost always about.
SESSION_METHODS = frozenset(
    {
        "get",
        "exec",
        "execute",
        "commit",
        "refresh",
        "delete",
        "flush",
        "rollback",
        "scalar",
    }
)


def unawaited_calls(app_dir: Path, qualnames: Iterable[str]) -> list[str]:
    """Lines of the app's code that call an async method without `await`.

    In: the app's folder and the coroutines' names ("AsyncSession.get": a
    call of get on something called *session*; "run_in_threadpool": any
    call of that function; none known: any of the session's async methods
    on something called *session*). Out: "app/main.py:120: item =
    session.get(Item, item_id)" for each such call, at most 5. Unreadable
    files are skipped."""
    wanted = {q.rpartition(".") for q in qualnames if q}
    wanted = wanted or {
        ("AsyncSession", ".", method) for method in SESSION_METHODS
    }
    found = []
    for path in sorted(app_dir.rglob("*.py")):
        try:
            source = path.read_text(encoding="utf-8")
            tree = ast.parse(source)
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue
        awaited = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Await)
        }
        lines = source.splitlines()
        # In the order of the file's lines
        calls = sorted(
            (
                node
                for node in ast.walk(tree)
                if isinstance(node, ast.Call)
            ),
            key=lambda node: (node.lineno, node.col_offset),
        )
        for node in calls:
            if id(node) in awaited:
                continue
            # f(...) or module.f(...): the function's name;
            # obj.method(...): the method's, and what it is called on
            called = getattr(node.func, "id", None) or getattr(
                node.func, "attr", ""
            )
            receiver = getattr(node.func, "value", None)
            name = (
                getattr(receiver, "id", None)
                or getattr(receiver, "attr", None)
                or ""
            )
            for owner, _, method in wanted:
                variable = owner.removeprefix("Async").lower()
                if called == method and (
                    # An async function, not a method: any call of it
                    not owner or (variable and variable in name.lower())
                ):
                    shown = path.relative_to(app_dir.parent).as_posix()
                    line = lines[node.lineno - 1].strip()
                    found.append(f"{shown}:{node.lineno}: {line}")
                    break
    return sorted(set(found), key=found.index)[:5]


def _await_hint(details: set[str], app_dir: Path | None) -> list[str]:
    lines = [
        "Hint: a coroutine was never awaited, or turned up where a value "
        "was expected: an `await` is missing before a call to an async "
        "function (such as "
        "the session's get, exec, commit, refresh or delete), in a "
        "function that is `async def`."
    ]
    calls = (
        unawaited_calls(app_dir, details) if app_dir is not None else []
    )
    if calls:
        lines.append("  Calls without `await` in your code:")
        lines += [f"    {call}" for call in calls]
    return lines


# The hints that say the same whatever the failures: one line each
FIXED_HINTS = {
    "import-error": "Hint: app.main could not be imported, so every test "
    "that starts the app failed for this one error: fix it first, then "
    "check again.",
    "missing-route": "Hint: a route that answers 404 Not Found and is "
    "missing from the app's /openapi.json does not exist: write it, or "
    "include its router in app/main.py (`app.include_router(router)`).",
    "exclude-unset": "Hint: a PATCH wrote null into a required column: "
    "the update took every field of the update schema, also those the "
    "client didn't send. Take only those sent: "
    "`item.sqlmodel_update(item_in.model_dump(exclude_unset=True))`.",
    "own-token-refused": "Hint: the app answered 401 to a token it had "
    "just given at login: it decodes tokens otherwise than it makes "
    "them. Check that both use the same SECRET_KEY and algorithm "
    '(`jwt.decode(token, key, algorithms=["HS256"])`), and that `sub` is '
    "made a string (`str(user.id)`): the JWT library refuses a token "
    "whose sub is not one. Its error is caught and answered 401, so it "
    "shows nowhere else.",
}
# Hints that name what the failures found: key -> their lines, from the
# failures' details and the app's folder
HINTS = {"missing-await": _await_hint}


# Hints whose failures make one group, whatever each test asserted: one
# mistake that every test touching it shows in its own words (a route the
# app lacks, a token the app refuses), listed once instead of a group for
# each request that met it.
ONE_GROUP = frozenset({"missing-route", "own-token-refused"})


def _group_key(failure: Failure) -> tuple[str, str]:
    if failure.hint in ONE_GROUP:
        return (failure.hint, "")
    return (failure.cause, failure.where)


def summary(
    failures: Sequence[Failure],
    failed_tests: int,
    app_dir: Path | None = None,
) -> list[str]:
    """The lines of the "what to fix" list: causes with their behaviours,
    hints, counts.

    In: the failures in the order to show them (one per failing test,
    several may share a behaviour: the cases of a parametrized test), the
    number of failed tests, the app's folder (to point at the lines a hint
    is about). Out: lines, the first one "- <behaviour>" and the next
    indented one its cause (tools/step_tests.py reads them)."""
    groups: dict[tuple[str, str], list[Failure]] = {}
    for failure in failures:
        groups.setdefault(_group_key(failure), []).append(failure)
    lines: list[str] = []
    behaviours_total: set[str] = set()
    # Key -> (details, behaviours)
    hints: dict[str, tuple[set[str], set[str]]] = {}
    for (cause, where), members in groups.items():
        behaviours = [
            b
            for b in dict.fromkeys(f.behaviour for f in members)
            # Listed once: the cases of a parametrized test often fail
            # with causes that differ only by their input (a name of 200
            # characters, then one of 201), and each would list it again.
            # The first case's cause stands for the others.
            if b not in behaviours_total or cause == "missing-route"
        ]
        behaviours_total.update(behaviours)
        for failure in members:
            if failure.hint:
                details, hinted = hints.setdefault(
                    failure.hint, (set(), set())
                )
                details.add(failure.detail)
                hinted.add(failure.behaviour)
        if not behaviours:
            continue
        lines += [f"- {b}" for b in behaviours[:MAX_LISTED]]
        if len(behaviours) > MAX_LISTED:
            lines.append(f"- … and {len(behaviours) - MAX_LISTED} more")
        if cause == "missing-route":
            details = {f.detail for f in members}
            routes = sorted(
                {r for d in details for r in d.split(", ") if r}
            )
            lines.append(
                f"    the app has no route for {', '.join(routes)}: "
                "404 Not Found, and "
                f"{'it is' if len(routes) == 1 else 'they are'} "
                "not in its /openapi.json"
            )
        elif cause == "own-token-refused":
            lines.append(f"    {members[0].cause}")
            if len(members) > 1:
                lines.append(
                    "    and the others alike: a 401 to a token the app "
                    "had just given at login (see the hint)"
                )
        else:
            lines.append(f"    {cause}")
            if where:
                lines.append(f"    at {where}")
    for key, (details, _hinted) in hints.items():
        if key in HINTS:
            lines += HINTS[key](details, app_dir)
        else:
            lines.append(FIXED_HINTS[key])
    count = len(behaviours_total)
    tests = (
        ""
        if failed_tests == count
        else f", from {failed_tests} failing tests "
        "(the cases of one test count once)"
    )
    lines.append(
        f"{count} behaviour{'s' if count != 1 else ''} to fix{tests}."
    )
    return lines
