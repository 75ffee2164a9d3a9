import math
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from fastapi import (
    Depends,
    FastAPI,
    HTTPException,
    Path,
    Query,
    Request,
    status,
)
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import AfterValidator, FiniteFloat
from sqlalchemy import DateTime
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Field, SQLModel, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "sqlite+aiosqlite:///./workshop.db"
)
engine = create_async_engine(DATABASE_URL)

# Ids and offsets go into SQL as integers, and a database's integers have
# limits (PostgreSQL's INTEGER is 32 bits): a larger number would fail
# inside the query, a 500. Refuse it up front.
MAX_INT = 2**31 - 1


class ItemStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


def as_utc(value: datetime) -> datetime:
    # SQLite stores no time zone: a stored time comes back naive, but we
    # only ever store UTC.
    return (
        value.replace(tzinfo=UTC)
        if value.tzinfo is None
        else value.astimezone(UTC)
    )


UTCDateTime = Annotated[datetime, AfterValidator(as_utc)]


class ItemBase(SQLModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    price: FiniteFloat = Field(gt=0)
    status: ItemStatus = ItemStatus.draft


class Item(ItemBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC),
        sa_type=DateTime(timezone=True),
    )


class ItemCreate(ItemBase):
    pass


class ItemUpdate(SQLModel):
    # Every field may be left out. default=None only fills a field that
    # was left out (Pydantic doesn't validate defaults, and exclude_unset
    # drops it): a null that is *sent* must still be a str, a number or a
    # status, so it's a 422, as the OpenAPI schema says.
    name: str = Field(default=None, min_length=1, max_length=100)
    # A description sent as null clears it
    description: str | None = Field(default=None, max_length=500)
    price: FiniteFloat = Field(default=None, gt=0)
    status: ItemStatus = Field(default=None)


class ItemPublic(ItemBase):
    id: int
    created_at: UTCDateTime


class ErrorMessage(SQLModel):
    """The body of every error the routes raise with HTTPException, as
    /docs shows it."""

    detail: str


# The answers a route gives besides its own, for /docs and /openapi.json:
# each status with the body it comes with. FastAPI can't see the
# HTTPExceptions a route may raise.
NOT_FOUND = {
    status.HTTP_404_NOT_FOUND: {
        "model": ErrorMessage,
        "description": "Item not found",
    }
}


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Create the tables when the server starts, not when the module is
    # imported.
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield
    await engine.dispose()


app = FastAPIOffline(title="Workshop API", lifespan=lifespan)


def json_safe(value: float | str) -> float | str:
    """NaN and Infinity as text, and a lone surrogate escaped: JSON can't
    hold either."""
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return value.encode("utf-8", "backslashreplace").decode("utf-8")


@app.exception_handler(RequestValidationError)
async def validation_error_handler(
    request: Request, exc: RequestValidationError
) -> JSONResponse:
    # FastAPI's own handler echoes each rejected value, and some can't be
    # written back as JSON: NaN or Infinity (Python's json module reads
    # them, and 1e400), or a string with a lone surrogate (the JSON
    # "\ud800"). That would crash into a 500: same 422, made safe.
    detail = jsonable_encoder(
        exc.errors(), custom_encoder={float: json_safe, str: json_safe}
    )
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": detail},
    )


async def get_session() -> AsyncIterator[AsyncSession]:
    # One session per request; leaving the block rolls back whatever was
    # not committed.
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]
ItemId = Annotated[int, Path(ge=1, le=MAX_INT)]


def item_not_found() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_404_NOT_FOUND, detail="Item not found"
    )


async def get_item_or_404(session: AsyncSession, item_id: int) -> Item:
    item = await session.get(Item, item_id)
    if item is None:
        raise item_not_found()
    return item


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(
    item_in: ItemCreate, session: SessionDep
) -> ItemPublic:
    item = Item.model_validate(item_in)
    session.add(item)
    await session.commit()
    return item


@app.get("/items")
async def list_items(
    session: SessionDep,
    skip: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[ItemPublic]:
    result = await session.exec(
        select(Item).order_by(Item.id).offset(skip).limit(limit)
    )
    return result.all()


@app.get("/items/{item_id}", responses=NOT_FOUND)
async def read_item(item_id: ItemId, session: SessionDep) -> ItemPublic:
    return await get_item_or_404(session, item_id)


@app.patch("/items/{item_id}", responses=NOT_FOUND)
async def update_item(
    item_id: ItemId, item_in: ItemUpdate, session: SessionDep
) -> ItemPublic:
    item = await get_item_or_404(session, item_id)
    # exclude_unset: only the fields the client sent, so the others keep
    # their values.
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True))
    session.add(item)
    try:
        await session.commit()
    except StaleDataError:
        # The UPDATE matched no row: another request deleted the item
        # since we read it.
        raise item_not_found() from None
    return item


@app.delete(
    "/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
async def delete_item(item_id: ItemId, session: SessionDep) -> None:
    # One DELETE statement, and its rowcount says whether it found the
    # row. (Reading the item first and calling session.delete() races with
    # another DELETE: the ORM only warns then.)
    result = await session.exec(delete(Item).where(Item.id == item_id))
    await session.commit()
    if result.rowcount == 0:
        raise item_not_found()
