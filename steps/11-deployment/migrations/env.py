"""How Alembic reaches the database: run by every `alembic` command, in
this folder.

The database is the app's own (settings.database_url, from DATABASE_URL or
.env), and the schema to compare with (`alembic revision --autogenerate`,
`alembic check`) is the one the models declare in SQLModel.metadata.
"""

import asyncio
from logging.config import fileConfig

from alembic import context
from sqlalchemy import pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

# Each model adds its table to SQLModel.metadata when imported.
import app.auth.models
import app.items.models  # noqa: F401
from app.config import settings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)  # the [loggers] of alembic.ini

target_metadata = SQLModel.metadata


def configure(**options: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        # SQLite can't ALTER most of a table: in batch mode, a migration
        # that changes a column copies the table into a new one.
        # PostgreSQL alters it in place.
        render_as_batch=True,
        **options,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: print the SQL instead of running
    it."""
    configure(url=settings.database_url, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def do_run_migrations(connection: Connection) -> None:
    configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


async def run_async_migrations() -> None:
    # The app's driver (aiosqlite, asyncpg) is async: Alembic's work runs
    # through run_sync. NullPool: no connection stays open once the
    # migration is done.
    engine = create_async_engine(
        settings.database_url, poolclass=pool.NullPool
    )
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    asyncio.run(run_async_migrations())
