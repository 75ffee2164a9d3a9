"""The step tests' harness itself (tests/steps/conftest.py), seen from outside: a pytest run of
some step tests, with a probe plugin beside it."""

import os
import subprocess
import sys
import textwrap

from tools.step_tests import bytecode_env
from tools.steps import ROOT

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
        Path(os.environ["APP_PROBE_OUT"]).write_text(str(len(APPS)))
    """
)


def test_a_tests_app_is_freed_once_the_test_is_over(tmp_path):
    """Each test imports its app afresh; once the test is over nothing of the harness may keep
    that app alive. Kept alive (its AppUnderTest stayed in the test item's stash), the 241
    apps of step 08 grew the process to 350 MB, and every garbage collection walked all of
    them: a quarter of the step's check time."""
    (tmp_path / "app_probe.py").write_text(APP_PROBE, encoding="utf-8")
    out = tmp_path / "alive.txt"
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "pytest", "tests/steps/test_openapi.py", "--step", "08"),
            *("-p", "no:cacheprovider", "-p", "app_probe", "-q"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=os.environ | bytecode_env() | {"PYTHONPATH": str(tmp_path), "APP_PROBE_OUT": str(out)},
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    alive = int(out.read_text(encoding="utf-8"))
    # The last test's app (still imported) and the first one (kept on purpose with the
    # libraries: freeze_what_lives_on); not one per test (test_openapi.py has 12 for step 08).
    assert alive <= 2, f"{alive} apps of earlier tests are still alive"
