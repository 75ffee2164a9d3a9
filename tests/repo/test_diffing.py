"""`nox -s diff -- A B` and the docs' generated diffs (tools/diffing.py)."""

import io
from pathlib import Path

import pytest

from tools import diffing
from tools.steps import UserError, get_step


def write(folder: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def test_diff_ignores_caches_databases_and_dot_env(tmp_path):
    """Two folders that differ only in __pycache__, .venv, databases and .env: no changes."""
    source = {"app/__init__.py": "", "app/main.py": "app = 1\n"}
    old = write(tmp_path / "old", source)
    noise = {
        "app/__pycache__/main.cpython-311.pyc": b"\x00\x01",
        ".venv/lib/site.py": "x = 1\n",
        ".pytest_cache/v/cache/lastfailed": "{}",
        "workshop.db": b"SQLite format 3\x00",
        "workshop.db-journal": b"\x00",
        ".env": "SECRET_KEY=mine\n",
    }
    new = write(tmp_path / "new", source | noise)
    assert diffing.diff_trees(old, new) == []


def test_diff_shows_changed_added_and_removed_files(tmp_path):
    """Each changed file is one entry, with its kind and a unified diff."""
    old = write(tmp_path / "old", {"app/main.py": "a = 1\n", "app/gone.py": "x = 1\n"})
    new = write(tmp_path / "new", {"app/main.py": "a = 2\n", "app/items/__init__.py": ""})
    changes = {c.path: c for c in diffing.diff_trees(old, new)}
    assert {name: c.kind for name, c in changes.items()} == {
        "app/gone.py": "removed",
        "app/items/__init__.py": "added",
        "app/main.py": "changed",
    }
    assert "-a = 1\n+a = 2\n" in changes["app/main.py"].text
    assert changes["app/main.py"].text.startswith("--- old/app/main.py\n+++ new/app/main.py\n")
    assert "(empty file)" in changes["app/items/__init__.py"].text, "an empty new file counts"


def test_diff_does_not_see_windows_line_endings_as_changes(tmp_path):
    """A file saved with CRLF (Windows editors) is not "every line changed"."""
    old = write(tmp_path / "old", {"app/main.py": b"a = 1\nb = 2\n"})
    new = write(tmp_path / "new", {"app/main.py": b"a = 1\r\nb = 2\r\n"})
    assert diffing.diff_trees(old, new) == []


def test_diff_names_binary_files_instead_of_crashing(tmp_path):
    """A binary file (an image) is reported as differing, not decoded."""
    old = write(tmp_path / "old", {"logo.png": b"\x89PNG\x00\x01"})
    new = write(tmp_path / "new", {"logo.png": b"\x89PNG\x00\x02"})
    [change] = diffing.diff_trees(old, new)
    assert change.text == "Binary files old/logo.png and new/logo.png differ\n"


def test_diff_between_two_steps_shows_the_change():
    """diff -- 02 03 shows step 03's change to app/main.py, with both steps' names."""
    old, new = get_step("02").path, get_step("03").path
    changes = diffing.diff_trees(old, new)
    assert "app/main.py" in [c.path for c in changes]
    text = diffing.render_diff_text(old, new, changes, color=False)
    assert text.startswith(
        f"steps/02-request-validation -> steps/03-crud: {len(changes)} file(s) changed"
    )
    assert "--- 02-request-validation/app/main.py\n+++ 03-crud/app/main.py\n" in text
    assert any(line.startswith("+") for line in text.splitlines()[4:])


def test_colour_only_when_asked(tmp_path):
    """ANSI colours appear with color=True and never with color=False."""
    old = write(tmp_path / "old", {"a.py": "a = 1\n"})
    new = write(tmp_path / "new", {"a.py": "a = 2\n"})
    changes = diffing.diff_trees(old, new)
    assert "\033[" not in diffing.render_diff_text(old, new, changes, color=False)
    coloured = diffing.render_diff_text(old, new, changes, color=True)
    assert "\033[31m-a = 1\033[0m" in coloured
    assert "\033[32m+a = 2\033[0m" in coloured


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_on_a_terminal_but_not_in_a_pipe_or_with_no_color(monkeypatch):
    """Colour on a terminal; none when piped or when NO_COLOR is set."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setattr(diffing, "_enable_windows_ansi", lambda: True)
    assert diffing.wants_color(FakeTerminal()) is True
    assert diffing.wants_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert diffing.wants_color(FakeTerminal()) is False


@pytest.mark.parametrize("given", ["04", "4", "04-database"])
def test_a_step_can_be_named_by_number_or_name(given, tmp_path):
    """04, 4 and 04-database all mean steps/04-database."""
    assert diffing.resolve_side(given, tmp_path) == get_step("04").path


def test_a_folder_is_relative_to_where_the_command_runs(tmp_path):
    """`workspace` is the folder of that name where the command was run."""
    (tmp_path / "workspace").mkdir()
    assert diffing.resolve_side("workspace", tmp_path) == (tmp_path / "workspace").resolve()


def test_unknown_step_is_a_clear_error(tmp_path):
    """A number that is no step lists the steps."""
    with pytest.raises(UserError, match=r"There is no step '42'\.\nThe steps are:\n  01  hello"):
        diffing.resolve_side("42", tmp_path)


def test_missing_folder_is_a_clear_error(tmp_path):
    """A folder that doesn't exist says so, and how to make workspace/."""
    with pytest.raises(UserError, match="neither a step nor a folder") as caught:
        diffing.resolve_side("workspace", tmp_path)
    assert "uv run nox -s start -- 03" in str(caught.value)
