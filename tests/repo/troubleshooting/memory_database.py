"""Troubleshooting: "no such table" with an in-memory SQLite database and two connections.

Run as a script with a DATABASE_URL: python memory_database.py sqlite+aiosqlite:///:memory:
test_database_traps.py runs it with an in-memory URL (fails) and with a file (works).
"""

import asyncio
import sys

from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


async def main(database_url: str) -> None:
    # --8<-- [start:two-engines]
    # One engine creates the tables (say, a test fixture), another serves the requests (the
    # app's own). Each engine opens its own connection; with ":memory:", each connection is
    # its own, empty database.
    setup_engine = create_async_engine(database_url)
    app_engine = create_async_engine(database_url)
    async with setup_engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    async with AsyncSession(app_engine) as session:
        session.add(Item(name="Mug"))
        await session.commit()  # ":memory:" -> no such table: item
    # --8<-- [end:two-engines]
    await setup_engine.dispose()
    await app_engine.dispose()
    print("the item was stored")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
