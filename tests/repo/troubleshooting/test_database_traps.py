"""The database errors of steps 04 and 05 that docs/troubleshooting.md quotes, reproduced.

Each runs in a fresh Python process: SQLModel keeps every table in one global MetaData, and
the greenlet check happens once per process.
"""

import subprocess
import sys
import tomllib
from pathlib import Path

from tools.steps import ROOT

HERE = Path(__file__).parent
MODULE = "tests.repo.troubleshooting"


def run_python(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_async_engine_without_greenlet_names_the_fix():
    """Without greenlet, importing SQLAlchemy's asyncio module fails and says what to install."""
    result = run_python(str(HERE / "greenlet_missing.py"), "--without-greenlet")
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (
        "ImportError: The SQLAlchemy asyncio module requires that the Python 'greenlet' "
        "library is installed.  In order to ensure this dependency is available, use the "
        "'sqlalchemy[asyncio]' install target:  'pip install sqlalchemy[asyncio]'"
    )


def test_async_engine_with_greenlet_works():
    """With greenlet installed, the same import and engine work."""
    result = run_python(str(HERE / "greenlet_missing.py"))
    assert result.returncode == 0, result.stderr
    assert "the async engine works" in result.stdout


def test_the_project_depends_on_sqlalchemy_asyncio():
    """The fix, in this repository: pyproject.toml asks for sqlalchemy[asyncio] (greenlet)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dependencies = project["project"]["dependencies"]
    assert any(d.startswith("sqlalchemy[asyncio]") for d in dependencies), dependencies


def test_in_memory_database_with_two_connections_has_no_tables():
    """':memory:' and a second engine: tables made on one connection are missing on the other."""
    result = run_python(str(HERE / "memory_database.py"), "sqlite+aiosqlite:///:memory:")
    assert result.returncode != 0
    assert (
        "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: item"
        in result.stderr
    )


def test_file_database_with_two_connections_works(tmp_path):
    """The fix: a database file (a fresh one per test): every connection sees the same tables."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    result = run_python(str(HERE / "memory_database.py"), url)
    assert result.returncode == 0, result.stderr
    assert "the item was stored" in result.stdout


def test_table_defined_twice_is_refused():
    """A model defined in two modules: 'Table ... is already defined for this MetaData instance'."""
    result = run_python("-c", f"import {MODULE}.twice.main_broken")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "sqlalchemy.exc.InvalidRequestError: Table 'item' is already defined for this MetaData "
        "instance.  Specify 'extend_existing=True' to redefine options and columns on an "
        "existing Table object."
    )


def test_table_defined_once_and_imported_works():
    """The fix: one definition, imported where it is needed."""
    result = run_python("-c", f"import {MODULE}.twice.main_fixed")
    assert result.returncode == 0, result.stderr
