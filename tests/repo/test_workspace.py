"""`nox -s start -- NN` (tools/workspace.py): the starting point of a step, never losing work."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tools import diffing, workspace
from tools.repo_checks import sessions_in_noxfile, sessions_named
from tools.steps import ROOT, STARTER_DIR, UserError, get_step

NOW = datetime(2025, 1, 31, 14, 25, 1, tzinfo=UTC)


def tree(folder: Path) -> dict[str, str]:
    """The folder's files and their text, but start's note of the step begun there."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != workspace.STARTED_FILE
    }


def test_start_copies_the_previous_steps_code(tmp_path):
    """start -- 03 gives exactly the source files of step 02, and notes that step 03 was
    started there (for `progress`), in a file the diffs leave out."""
    started = workspace.start_step("03", tmp_path / "workspace", NOW)
    assert started.source == get_step("02").path
    assert started.backup is None
    made = tree(tmp_path / "workspace")
    assert (tmp_path / "workspace" / workspace.STARTED_FILE).read_text() == "03\n"
    assert made == tree(get_step("02").path)
    assert started.files == ["app/__init__.py", "app/main.py"]
    assert workspace.started_step(tmp_path / "workspace") == get_step("03")
    assert diffing.source_files(tmp_path / "workspace").keys() == made.keys()


def test_a_folder_start_did_not_make_has_no_started_step(tmp_path):
    """Code copied by hand, a step's own folder, or a marker that names no step: None."""
    assert workspace.started_step(get_step("12").path) is None
    (tmp_path / workspace.STARTED_FILE).write_text("99\n", encoding="utf-8")
    assert workspace.started_step(tmp_path) is None


def test_start_01_gives_the_empty_starter(tmp_path):
    """Step 01 has no previous step: it starts from tools/starter/."""
    started = workspace.start_step("1", tmp_path / "workspace", NOW)
    assert started.source == STARTER_DIR
    assert "app/main.py" in tree(tmp_path / "workspace")


def test_starting_twice_keeps_the_first_workspace_in_a_backup(tmp_path):
    """A second start moves the learner's workspace aside, untouched, and says where."""
    target = tmp_path / "workspace"
    workspace.start_step("03", target, NOW)
    (target / "app" / "main.py").write_text("# my own work\n", encoding="utf-8")
    (target / "notes.txt").write_text("keep me\n", encoding="utf-8")

    started = workspace.start_step("03", target, NOW)

    assert started.backup == tmp_path / "workspace.backup-20250131-142501"
    assert tree(started.backup)["app/main.py"] == "# my own work\n"
    assert tree(started.backup)["notes.txt"] == "keep me\n"
    assert tree(target) == tree(get_step("02").path), "the new workspace is step 02's code"
    assert str(started.backup) in workspace.describe(started)


def test_backups_in_the_same_second_get_distinct_names(tmp_path):
    """Starting three times within one second keeps all three earlier folders."""
    target = tmp_path / "workspace"
    for marker in ("first", "second", "third"):
        workspace.start_step("02", target, NOW)
        (target / "marker.txt").write_text(marker, encoding="utf-8")
    workspace.start_step("02", target, NOW)
    backups = sorted(p.name for p in tmp_path.glob("workspace.backup-*"))
    assert backups == [
        "workspace.backup-20250131-142501",
        "workspace.backup-20250131-142501-2",
        "workspace.backup-20250131-142501-3",
    ]
    markers = {(tmp_path / b / "marker.txt").read_text(encoding="utf-8") for b in backups}
    assert markers == {"first", "second", "third"}


def test_copy_leaves_out_caches_databases_and_dot_env(tmp_path):
    """__pycache__, .pytest_cache, *.db and .env are not copied; .env.example is."""
    source = tmp_path / "source"
    (source / "app" / "__pycache__").mkdir(parents=True)
    (source / ".pytest_cache").mkdir()
    files = {
        "app/main.py": "app = 1\n",
        "app/__pycache__/main.cpython-311.pyc": "x",
        ".pytest_cache/README.md": "x",
        "workshop.db": "x",
        ".env": "SECRET_KEY=mine\n",
        ".env.example": "SECRET_KEY=change-me\n",
    }
    for name, text in files.items():
        (source / name).write_text(text, encoding="utf-8")
    workspace.fill_workspace(source, tmp_path / "workspace", NOW)
    assert set(tree(tmp_path / "workspace")) == {"app/main.py", ".env.example"}


def test_unknown_step_is_a_clear_error(tmp_path):
    """start -- 99 names the steps there are, and changes nothing."""
    (tmp_path / "workspace").mkdir()
    with pytest.raises(UserError, match=r"There is no step '99'") as caught:
        workspace.start_step("99", tmp_path / "workspace", NOW)
    assert "01  hello" in str(caught.value)
    assert not list(tmp_path.glob("workspace.backup-*")), "nothing may move for a bad step"


def test_missing_step_is_a_clear_error(tmp_path):
    """start without a step says how to call it."""
    with pytest.raises(UserError, match=r"uv run nox -s start -- 03"):
        workspace.start_step("", tmp_path / "workspace", NOW)


def test_a_workspace_in_use_is_left_in_place(tmp_path, monkeypatch):
    """If workspace/ can't be moved (Windows: a server still runs in it), nothing changes."""
    target = tmp_path / "workspace"
    workspace.start_step("02", target, NOW)
    (target / "mine.py").write_text("mine\n", encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError("[WinError 32] The process cannot access the file")

    monkeypatch.setattr(shutil, "move", refuse)
    with pytest.raises(UserError, match="Nothing was changed"):
        workspace.start_step("03", target, NOW)
    assert (target / "mine.py").read_text(encoding="utf-8") == "mine\n"


def test_what_start_prints_names_real_pages_and_sessions(tmp_path):
    """The next steps printed after start name the step's page and existing nox sessions."""
    started = workspace.start_step("03", tmp_path / "workspace", NOW)
    text = workspace.describe(started)
    assert "docs/steps/03-crud.md" in text
    shown = tmp_path / "workspace"
    assert f"uv run fastapi dev {shown}/app/main.py --reload-dir {shown}" in text
    named = set(sessions_named(text))
    assert named == {"docs", "step-03", "diff"}
    assert named <= sessions_in_noxfile(ROOT)
