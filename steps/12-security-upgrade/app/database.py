from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import settings

engine = create_async_engine(settings.database_url)

# Ids and offsets go into SQL as integers, and a database's integers have
# limits (PostgreSQL's INTEGER is 32 bits): a larger number would fail
# inside the query, a 500. Refuse it up front.
MAX_INT = 2**31 - 1


async def get_session() -> AsyncIterator[AsyncSession]:
    # One session per request; leaving the block rolls back whatever was
    # not committed.
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
