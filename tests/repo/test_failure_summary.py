"""What a learner reads when a step's check fails (tests/steps/failures.py and conftest.py).

The end-to-end tests plant a common mistake in a copy of a step, run that step's tests on it
with the arguments of `uv run nox -s step-NN -- workspace` (tools/step_tests.py: workers,
no tracebacks), and read the output as the learner would.
"""

import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.steps import conftest, failures
from tools.step_tests import LEARNER_ARGS, XDIST_ARGS, bytecode_env
from tools.steps import ROOT, get_step

SCREEN = 50  # lines: what fits in a terminal window without scrolling


def check(step: str, app_dir: Path, *extra: str, cache_dir: Path | None = None) -> tuple[int, str]:
    """Run step's tests on app_dir as the learner's check does; (exit status, output).
    pytest's cache (--lf) is off, or kept in `cache_dir`."""
    cache = ("-o", f"cache_dir={cache_dir}") if cache_dir else ("-p", "no:cacheprovider")
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "tests/steps", "--step", step),
            # One word, as the noxfile gives it: pytest would read a separate PATH as a test
            # folder, and load PATH/tests/conftest.py (from step 09).
            *(f"--app-dir={app_dir}", *XDIST_ARGS, *LEARNER_ARGS, *cache),
            *extra,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | bytecode_env(),
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr


def failing(step: str, app_dir: Path, *extra: str) -> tuple[str, str]:
    """check() on an app that must fail: (the whole output, its "what to fix" part)."""
    status, output = check(step, app_dir, *extra)
    assert status == 1, output
    return output, output.split("what to fix")[1]


def planted(tmp_path: Path, step: str, path: str, old: str, new: str) -> Path:
    copy = tmp_path / "workspace"
    shutil.copytree(get_step(step).path, copy)
    source = copy / path
    text = source.read_text(encoding="utf-8")
    assert old in text, f"the mistake can't be planted: {old!r} is not in {source}"
    source.write_text(text.replace(old, new, 1), encoding="utf-8")
    return copy


# Step 04 with `item = session.get(Item, item_id)`: the commonest mistake of the async steps
MISSING_AWAIT = (
    "04",
    "app/main.py",
    "await session.get(Item, item_id)",
    "session.get(Item, item_id)",
)


def test_missing_await_is_named_in_the_summary_on_one_screen(tmp_path):
    """A missing `await` before session.get: the summary shows the coroutine, points at the
    line without `await`, names the fix, counts as pytest does, and fits on one screen."""
    copy = planted(tmp_path, *MISSING_AWAIT)
    status, output = check("04", copy)
    assert status == 1, output
    assert "input: <coroutine object AsyncSession.get>" in output
    assert "Hint: a coroutine was never awaited, or turned up where a value was expected" in output
    assert "an `await` is missing" in output
    assert re.search(r"workspace/app/main\.py:\d+: item = session\.get\(Item, item_id\)", output)
    failed = re.search(r"(\d+) failed", output)
    assert failed and f"from {failed[1]} failing tests" in output, output
    assert "error" not in output.splitlines()[-1], "no test blamed for another's coroutine"
    assert "Traceback" not in output and "site-packages" not in output
    assert len(output.splitlines()) <= SCREEN, output


def test_an_await_missing_before_commit_is_found_from_the_teardown_error(tmp_path):
    """`session.commit()` without `await` in step 12's login: the test fails on its symptom
    (the hash is not upgraded), and the cause shows only in an error of its teardown
    (pytest: "coroutine 'AsyncSession.commit' was never awaited"). The summary keeps the
    symptom and adds the hint with the line, instead of dropping the teardown's report."""
    copy = planted(
        tmp_path,
        "12",
        "app/auth/service.py",
        "        await session.commit()\n    return user",
        "        session.commit()\n    return user",
    )
    _output, summary = failing("12", copy, "-k", "upgrades_an_old_hash")
    assert "AssertionError: after a successful login the hash should be Argon2's" in summary
    assert "an `await` is missing" in summary
    assert re.search(r"workspace/app/auth/service\.py:\d+: session\.commit\(\)", summary)


def test_a_500_names_what_the_app_raised_and_where(tmp_path):
    """From step 10 the app answers an unhandled error with a plain 500 and logs it: the
    summary adds what the app raised and where (seen: only "answered 500 {"detail":"Internal
    server error"}", and no hint for the `await` missing before session.exec)."""
    copy = planted(
        tmp_path,
        "12",
        "app/auth/service.py",
        "result = await session.exec(select(User).where(User.email == email))",
        "result = session.exec(select(User).where(User.email == email))",
    )
    _output, summary = failing("12", copy, "-k", "test_login_answers_a_bearer_token")
    assert "answered 500" in summary
    assert "the app raised AttributeError: 'coroutine' object has no attribute" in summary
    assert re.search(r"at workspace/app/auth/service\.py:\d+, in authenticate: ", summary)
    assert re.search(r"workspace/app/auth/service\.py:\d+: result = session\.exec\(", summary)


def test_a_token_the_app_refuses_after_giving_it_gets_the_fix(tmp_path):
    """`"sub": user.id` (an int) in step 12: PyJWT refuses the token the app made, the app
    answers 401 and nothing names the cause (seen: 47 behaviours "answered 401", and with -x
    the one assertion about sub was gone). The summary says the app refuses its own tokens
    and what to check; a test whose 401 was right gets no such hint."""
    copy = planted(tmp_path, "12", "app/auth/service.py", '"sub": str(user.id),', '"sub": user.id,')
    _output, summary = failing("12", copy, "-k", "test_me_answers_the_logged_in_user")
    assert "answered 401" in summary
    assert "Hint: the app answered 401 to a token it had just given at login" in summary
    assert "`sub` is made a string" in summary
    refused = failures.explain(
        "t::a",
        "A.",
        AssertionError("expected 200, but GET /a answered 404"),
        "",
        Path("w"),
        own_token_refused=True,
    )
    assert refused.hint == "", "only when the test's complaint is the 401"


def test_router_not_included_is_said_once(tmp_path):
    """Without app.include_router(auth_router), the summary says once that the route is
    missing from the app, instead of one "answered 404" per test."""
    copy = planted(tmp_path, "06", "app/main.py", "app.include_router(auth_router)\n", "")
    status, output = check("06", copy, "-k", "register")
    assert status == 1, output
    assert output.count("the app has no route for POST /auth/register") == 1, output
    assert "answered 404" not in output
    assert "include its router" in output
    assert len(output.splitlines()) <= SCREEN, output


def test_a_missing_router_is_said_once_from_every_kind_of_test(tmp_path):
    """Step 12 without its auth router: tests that fail in a fixture's setup (a token for
    POST /items) and tests that read /openapi.json join the one "no route" cause (seen:
    "expected 201, but POST /auth/register answered 404" and "KeyError: '/auth/register'"
    listed beside it)."""
    copy = planted(tmp_path, "12", "app/main.py", "app.include_router(auth_router)\n", "")
    output, summary = failing("12", copy, "-k", "each_status or openapi")
    assert summary.count("the app has no route for ") == 1, output
    assert "POST /auth/register" in summary
    assert "KeyError" not in summary and "answered 404" not in summary, summary


def test_patch_without_exclude_unset_gets_the_fix(tmp_path):
    """model_dump() without exclude_unset on PATCH: the NOT NULL failure comes with the fix."""
    copy = planted(tmp_path, "04", "app/main.py", "model_dump(exclude_unset=True)", "model_dump()")
    status, output = check("04", copy, "-k", "update")
    assert status == 1, output
    assert "NOT NULL constraint failed" in output
    assert "model_dump(exclude_unset=True)" in output.split("what to fix")[1]


def test_a_setting_refused_at_import_is_named_once(tmp_path):
    """The app refuses its settings when imported (a default CORS origin with a trailing
    slash): the summary shows the setting and the validator's message, not only "1
    validation error for Settings", points at the line that raised it, and says once that
    every test failed for this one error."""
    copy = planted(
        tmp_path,
        "10",
        "app/config.py",
        'cors_origins: list[str] = ["http://localhost:3000"]',
        'cors_origins: list[str] = ["http://localhost:3000/"]',
    )
    output, summary = failing("10", copy, "-k", "health or cors")
    assert "app.main could not be imported: ValidationError: cors_origins: Value error, " in (
        summary
    )
    assert "'http://localhost:3000/' is not an origin" in summary
    assert re.search(
        r"at workspace/app/config\.py:\d+, in <module>: settings = Settings\(\)", summary
    )
    assert summary.count("Hint: app.main could not be imported") == 1, output
    assert len(output.splitlines()) <= SCREEN, output


def test_a_syntax_error_points_at_its_line(tmp_path):
    """A syntax error in the learner's code: the summary names the file, line and text."""
    copy = planted(tmp_path, "01", "app/main.py", "def ", "def def ")
    output, summary = failing("01", copy)
    assert "app.main could not be imported: SyntaxError: " in summary
    assert re.search(r"at workspace/app/main\.py:\d+: (async )?def def ", summary), output


def test_the_reference_code_is_called_so():
    """Forgetting `-- workspace` checks the reference solution: the output says so, and how
    to check one's own code."""
    status, output = check("01", get_step("01").path)
    assert status == 0, output
    assert "every check passed for the reference solution in steps/01-hello/" in output
    assert "To check your code: uv run nox -s step-01 -- workspace" in output


def test_from_step_09_a_pass_of_the_app_is_not_called_the_whole_check():
    """From step 09 the step's check goes on to the folder's own tests/ after these: the
    closing line says the app's checks passed and that the tests come next, not "every check
    passed" above a failing grading of the learner's tests."""
    lines = conftest.closing_lines(9, "workspace/", 241, 241, False, True, "W")
    assert lines == [
        "Step 09: every check of the app passed for workspace/.",
        "uv run nox -s step-09 goes on to the tests in its tests/ folder.",
    ]
    assert conftest.closing_lines(4, "workspace/", 73, 73, False, False, "W") == [
        "Step 04: every check passed for workspace/."
    ]


def test_a_run_of_some_checks_is_not_called_the_whole_check():
    """`-k hello` ran 2 of step 09's tests: the closing line says so, and the command for the
    whole check (seen: "every check of the app passed" after `-k upgrade` ran 7 of 269)."""
    status, output = check("09", get_step("09").path, "-k", "hello")
    assert status == 0, output
    assert re.search(
        r"Step 09: the 2 checks chosen passed for the reference solution in steps/09-testing/ "
        r"\(not your code\); \d+ of the step's \d+ did not run\. The whole check: "
        r"uv run nox -s step-09 \(without -k, -m or --deselect\)\.",
        output,
    ), output
    assert "uv run nox -s step-09 goes on to the tests in its tests/ folder." in output
    assert "every check" not in output


def test_a_rerun_of_the_failed_checks_is_not_called_the_whole_check(tmp_path):
    """`--lf` after a fix reruns only what failed (pytest skips the other files before the
    harness sees them): the closing line says so (seen: "every check passed" after 36 of
    241). With nothing failed last time, --lf runs all the others choose (here -k's)."""
    copy = planted(tmp_path, *MISSING_AWAIT)

    def run(*extra: str) -> tuple[int, str]:
        return check("04", copy, "-n", "0", "-k", "read_item or hello", *extra, cache_dir=tmp_path)

    status, output = run()
    assert status == 1, output
    fixed = copy / "app" / "main.py"
    text = fixed.read_text(encoding="utf-8")
    fixed.write_text(text.replace("session.get(Item", "await session.get(Item"), encoding="utf-8")
    status, output = run("--lf")
    assert status == 0, output
    assert re.search(
        r"Step 04: the \d+ checks that failed last time \(--lf\) passed for \S+; the step's "
        r"other checks did not run\. The whole check: uv run nox -s step-04 -- \S+ "
        r"\(without --lf\)\.",
        output,
    ), output
    status, output = run("--lf")
    assert status == 0, output
    assert "checks chosen passed" in output, output  # -k's choice, not --lf's
    assert "failed last time" not in output, output


# -- the parts, on made-up failures ------------------------------------------------------


class FakeValidationError(Exception):
    def errors(self):
        return [{"loc": ("response",), "msg": "Input should be an object", "input": 3}]

    def __str__(self):
        return "1 validation error:\n  {'input': 3}"


def test_cause_keeps_the_line_that_names_it():
    """Not only the first line ("1 validation error:"): the error's message and input."""
    assert failures.cause_of(FakeValidationError()) == (
        "FakeValidationError: response: Input should be an object, input: 3"
    )
    assert failures.cause_of(ValueError("3 problems:\nthe first one\nthe second")) == (
        "ValueError: 3 problems: the first one"
    )
    assert failures.cause_of(RuntimeError()) == "RuntimeError"


class FakeApp:
    def openapi(self):
        return {"paths": {"/items/{item_id}": {"get": {}}, "/items": {"post": {}}}}


def test_missing_routes_are_those_not_in_openapi():
    not_found = [("GET", "/items/7"), ("POST", "/auth/login"), ("POST", "/auth/login")]
    assert failures.missing_routes(not_found, FakeApp()) == ["POST /auth/login"]
    assert failures.missing_routes(not_found, object()) == [], "no OpenAPI document: no hint"


def test_an_endpoint_is_not_taken_for_an_earlier_tests_one():
    """FastAPI keeps an endpoint's file, line and name (what its validation errors show, and
    so "at …, in FUNCTION: the endpoint of …" in the summary) by id(function), with no
    reference to the function (fastapi issue 16390). Each test imports its app afresh, so an
    endpoint may get the id of an earlier test's freed one: the harness empties that cache
    when it forgets the app (seen here: read_item's error named create_item)."""
    from fastapi.routing import _extract_endpoint_context

    from tests.steps.conftest import CACHES_BY_ID, forget_library_caches

    [(module_name, name)] = CACHES_BY_ID
    cache = getattr(importlib.import_module(module_name), name)
    assert isinstance(cache, dict), f"FastAPI changed {module_name}.{name}: update CACHES_BY_ID"

    def create_item(): ...

    def read_item(): ...

    # What reuse of a freed id does: read_item's id finds create_item's entry.
    cache[id(read_item)] = _extract_endpoint_context(create_item)
    forget_library_caches()
    assert _extract_endpoint_context(read_item)["function"] == "read_item"


def test_summary_groups_by_cause_and_counts_like_pytest():
    made = [
        failures.Failure("t::a[1]", "A works.", "KeyError: 'x'", "ws/app/main.py:3, in f"),
        failures.Failure("t::a[2]", "A works.", "KeyError: 'x'", "ws/app/main.py:3, in f"),
        failures.Failure("t::b", "B works.", "KeyError: 'x'", "ws/app/main.py:3, in f"),
        failures.Failure("t::c", "C works.", "AssertionError: expected 201"),
    ]
    lines = failures.summary(made, 4)
    assert lines[:5] == [
        "- A works.",
        "- B works.",
        "    KeyError: 'x'",
        "    at ws/app/main.py:3, in f",
        "- C works.",
    ]
    assert (
        lines[-1] == "3 behaviours to fix, from 4 failing tests (the cases of one test count once)."
    )


def test_the_401s_to_the_apps_own_tokens_are_one_group():
    """`"sub": user.id` in step 12 failed 45 behaviours, each with its own request's 401:
    eight groups, 55 lines, the hint last. Every 401 to a token the app had just given is one
    mistake: one group, one cause line, then the hint (36 lines in all for that run)."""
    refused = [
        failures.explain(
            f"t::{name}",
            f"{name.upper()} works.",
            AssertionError(message),
            "",
            Path("w"),
            own_token_refused=True,
        )
        for name, message in [
            ("a", 'expected 201, but POST /items answered 401 {"detail":"Could not validate"}'),
            ("b", "expected 404, but PATCH /items/999 answered 401 {}"),
            ("c", "{'name': 'x'} is valid, but got 401"),
        ]
    ]
    other = failures.Failure("t::d", "D works.", "AssertionError: sub must be a string")
    lines = failures.summary([*refused, other], 4)
    assert lines[:7] == [
        "- A works.",
        "- B works.",
        "- C works.",
        '    AssertionError: expected 201, but POST /items answered 401 {"detail":"Could not '
        'validate"}',
        "    and the others alike: a 401 to a token the app had just given at login (see the hint)",
        "- D works.",
        "    AssertionError: sub must be a string",
    ]
    assert lines[7].startswith("Hint: the app answered 401 to a token it had just given")
    assert lines[-1] == "4 behaviours to fix."


def test_a_behaviour_is_listed_once_whatever_its_cases_causes():
    """The cases of one parametrized test fail with causes that differ by their input: the
    behaviour is listed once, under its first case's cause (seen: "POST /items accepts the
    limits themselves" 5 times, one of them with a 200-character name); a later case's
    hint still counts."""
    made = [
        failures.Failure("t::a[x]", "A works.", "AssertionError: 'x' answered 500"),
        failures.Failure("t::a[xx]", "A works.", "AssertionError: 'xx' answered 500"),
        failures.Failure("t::a[c]", "A works.", "coroutine", "", "missing-await", "S.get"),
        failures.Failure("t::b", "B works.", "AssertionError: 'xx' answered 500"),
    ]
    lines = failures.summary(made, 4)
    assert lines.count("- A works.") == 1, lines
    assert lines[:4] == [
        "- A works.",
        "    AssertionError: 'x' answered 500",
        "- B works.",
        "    AssertionError: 'xx' answered 500",
    ]
    assert any(line.startswith("Hint: a coroutine") for line in lines)
    assert lines[-1].startswith("2 behaviours to fix, from 4 failing tests")


def test_unawaited_calls_are_found(tmp_path):
    app = tmp_path / "ws" / "app"
    app.mkdir(parents=True)
    (app / "main.py").write_text(
        "async def f(session):\n"
        "    a = await session.get(1)\n"
        "    b = session.get(2)\n"
        "    c = {}.get(3)\n",
        encoding="utf-8",
    )
    found = failures.unawaited_calls(tmp_path / "ws", {"AsyncSession.get"})
    assert found == ["ws/app/main.py:3: b = session.get(2)"]


def test_unawaited_calls_of_a_function_are_found(tmp_path):
    """A coroutine of a function, not a method ("run_in_threadpool"): any call of it without
    `await`, by its name or through its module (seen missed: `if not
    run_in_threadpool(verify_password, ...)` in step 10 got the hint without the line)."""
    app = tmp_path / "ws" / "app"
    app.mkdir(parents=True)
    (app / "main.py").write_text(
        "async def f(check):\n"
        "    if not run_in_threadpool(check, 1):\n"
        "        return await run_in_threadpool(check, 2)\n"
        "    return concurrency.run_in_threadpool(check, 3)\n",
        encoding="utf-8",
    )
    found = failures.unawaited_calls(tmp_path / "ws", {"run_in_threadpool"})
    assert found == [
        "ws/app/main.py:2: if not run_in_threadpool(check, 1):",
        "ws/app/main.py:4: return concurrency.run_in_threadpool(check, 3)",
    ]


def test_a_coroutine_never_awaited_is_named():
    """pytest reports a coroutine dropped without `await` (`session.commit()` alone on its
    line) as "coroutine 'AsyncSession.commit' was never awaited": the hint names it."""
    warning = RuntimeWarning("coroutine 'AsyncSession.commit' was never awaited")
    failure = failures.explain("t::a", "A works.", warning, "", Path("ws"))
    assert (failure.hint, failure.detail) == ("missing-await", "AsyncSession.commit")
