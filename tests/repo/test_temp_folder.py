"""Where the step tests' temporary files go (tools/step_tests.py, memory_temp_dir): a folder in
memory on Linux when it has room, the system's temporary folder otherwise; and the pytest
runs started by the tools, and by `nox -s step-NN`, get it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tools import step_tests

LINUX = sys.platform.startswith("linux")


@pytest.mark.skipif(not LINUX, reason="a folder in memory is used on Linux only")
def test_linux_with_room_in_dev_shm_uses_it():
    if not Path("/dev/shm").is_dir():
        pytest.fail("this Linux machine has no /dev/shm: the check can't run here")
    assert step_tests.memory_temp_dir() == Path("/dev/shm")
    assert step_tests.temp_env() == {"TMPDIR": "/dev/shm"}


def test_too_little_room_keeps_the_usual_folder(monkeypatch):
    """Docker's default /dev/shm (64 MB) is too small for a whole run's databases."""
    monkeypatch.setattr(step_tests, "MEMORY_TEMP_MIN_FREE", 1 << 60)
    assert step_tests.memory_temp_dir() is None
    assert step_tests.temp_env() == {}


def test_no_such_folder_keeps_the_usual_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(step_tests, "MEMORY_TEMP_FOLDER", tmp_path / "missing")
    assert step_tests.memory_temp_dir() is None


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_systems_keep_the_usual_folder(monkeypatch, platform):
    monkeypatch.setattr(sys, "platform", platform)
    assert step_tests.memory_temp_dir() is None


def test_a_run_started_by_the_tools_gets_it_and_one_bytecode_cache(tmp_path):
    """run_env(): the temporary folder of temp_env, and the bytecode cache of this process
    (a second one, under the new temporary folder, would start cold)."""
    code = "import sys, tempfile; print(tempfile.gettempdir()); print(sys.pycache_prefix)"
    shown = subprocess.run(
        [sys.executable, "-c", code],
        env=step_tests.run_env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    expected = step_tests.memory_temp_dir()
    if expected is not None:
        assert Path(shown[0]) == expected
    assert shown[1] == step_tests.bytecode_env()["PYTHONPYCACHEPREFIX"]
    # and that process passes the same cache on to what it starts
    again = subprocess.run(
        [sys.executable, "-c", "from tools import step_tests; print(step_tests.bytecode_env())"],
        env=step_tests.run_env(),
        cwd=step_tests.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert repr(shown[1]) in again
