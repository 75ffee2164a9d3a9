"""Troubleshooting: SQLAlchemy 2.1's async engine without greenlet.

Run as a script, it hides greenlet (as in a project that depends on plain `sqlalchemy`, not
`sqlalchemy[asyncio]`) and imports SQLAlchemy's asyncio module. test_database_traps.py checks
the error text docs/troubleshooting.md quotes (also seen in a real environment without greenlet).
"""

import sys

if __name__ == "__main__":
    if sys.argv[1:] == ["--without-greenlet"]:
        sys.modules["greenlet"] = None  # type: ignore[assignment]  # "not installed"
    from sqlalchemy.ext.asyncio import create_async_engine

    create_async_engine("sqlite+aiosqlite://")
    print("the async engine works")
