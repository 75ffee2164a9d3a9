"""The step tests' harness itself (tests/steps/conftest.py, helpers.py), seen from outside: a
pytest run of some step tests, with a probe plugin beside it."""

import ast
import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.steps.helpers import at_once
from tools.step_tests import bytecode_env
from tools.steps import ROOT

from .test_failure_summary import planted


def run_with_probe(tmp_path: Path, probe: str, *args: str) -> tuple[int, str, Path]:
    """Run the step tests (`args`) with `probe` loaded as a plugin, which writes what it saw to
    the file in $PROBE_OUT: (exit status, output, that file)."""
    (tmp_path / "probe.py").write_text(probe, encoding="utf-8")
    out = tmp_path / "probe.out"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider", "-p", "probe", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | bytecode_env() | {"PYTHONPATH": str(tmp_path), "PROBE_OUT": str(out)},
        check=False,
    )
    return completed.returncode, completed.stdout + completed.stderr, out


# Loaded into the step tests' pytest with -p: after each test, a weak reference to the app it
# imported; at the end, how many of those apps are still alive after a full collection.
APP_PROBE = textwrap.dedent(
    """
    import gc, os, sys, weakref
    from pathlib import Path

    APPS = weakref.WeakSet()

    def pytest_runtest_logfinish(nodeid, location):
        main = sys.modules.get("app.main")
        if main is not None:
            APPS.add(main.app)

    def pytest_sessionfinish(session):
        gc.collect()
        Path(os.environ["PROBE_OUT"]).write_text(str(len(APPS)))
    """
)


def test_a_tests_app_is_freed_once_the_test_is_over(tmp_path):
    """Each test imports its app afresh; once the test is over nothing of the harness may keep
    that app alive. Kept alive (its AppUnderTest stayed in the test item's stash), the 241
    apps of step 08 grew the process to 350 MB, and every garbage collection walked all of
    them: a quarter of the step's check time."""
    status, output, out = run_with_probe(
        tmp_path, APP_PROBE, "tests/steps/test_openapi.py", "--step", "08"
    )
    assert status == 0, output
    alive = int(out.read_text(encoding="utf-8"))
    # The last test's app (still imported) and the first one (kept on purpose with the
    # libraries: freeze_what_lives_on); not one per test (test_openapi.py has 12 for step 08).
    assert alive <= 2, f"{alive} apps of earlier tests are still alive"


# After each test's teardown: a full collection (its warnings recorded, not raised), then the
# SQLite connections still open. What a test leaves open is freed some tests later, and its
# ResourceWarning or SQLAlchemy's "non-checked-in connection" warning then fails whichever
# test runs at that moment (warnings are errors).
CONNECTION_PROBE = textwrap.dedent(
    """
    import gc, json, os, warnings
    from pathlib import Path

    LEFT = []

    def pytest_runtest_logfinish(nodeid, location):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            gc.collect()
        still_open = sum(
            1
            for o in gc.get_objects()
            if type(o).__module__ == "aiosqlite.core"
            and type(o).__name__ == "Connection"
            and o._connection is not None
        )
        if caught or still_open:
            LEFT.append([nodeid, still_open, [str(w.message)[:120] for w in caught]])

    def pytest_sessionfinish(session):
        Path(os.environ["PROBE_OUT"]).write_text(json.dumps(LEFT))
    """
)


def test_a_failed_test_leaves_no_connection_open(tmp_path):
    """A test that fails while its app is served still gets the app's shutdown, as a real
    server would: the engine's pooled connections are closed within the test. Seen: step 08
    with `await` missing before session.get, the failed restart test's connection and its
    thread stayed open to the end of the run; a passing test was blamed for their warnings
    once they were freed."""
    copy = planted(
        tmp_path,
        "08",
        "app/items/service.py",
        "return await session.get(Item, item_id)",
        "return session.get(Item, item_id)",
    )
    status, output, out = run_with_probe(
        tmp_path,
        CONNECTION_PROBE,
        "tests/steps/test_persistence.py::test_items_survive_a_restart",
        *("--step", "08", f"--app-dir={copy}", "-n", "0"),
    )
    assert status == 1 and "test_items_survive_a_restart" in output, output
    assert json.loads(out.read_text(encoding="utf-8")) == []


def test_requests_at_once_all_end_before_the_error_is_raised():
    """at_once (the step tests' asyncio.gather) raises a request's error only once every other
    request has ended. With plain gather the others ran on after the test had failed, and their
    sessions were freed during a later test, which failed on the warnings."""
    ended = []

    async def fails():
        raise ValueError("the app raised")

    async def slow(n):
        await asyncio.sleep(0.05)
        ended.append(n)
        return n

    async def main():
        with pytest.raises(ValueError, match="the app raised"):
            await at_once(slow(1), fails(), slow(2))
        assert sorted(ended) == [1, 2], "a request was still running after the error"
        assert await at_once(slow(3), slow(4)) == [3, 4]

    asyncio.run(main())


def test_step_tests_send_requests_at_once_with_at_once():
    """No step test calls asyncio.gather itself (see the test above): helpers.at_once does."""
    calls = []
    for path in sorted((ROOT / "tests" / "steps").glob("*.py")):
        if path.name == "helpers.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "gather":
                calls.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert calls == [], f"use helpers.at_once instead of asyncio.gather: {calls}"
