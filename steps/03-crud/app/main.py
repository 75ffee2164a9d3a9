import math
from datetime import UTC, datetime
from enum import StrEnum
from itertools import count
from typing import Annotated

from fastapi import HTTPException, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field, FiniteFloat

app = FastAPIOffline(title="Workshop API")


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


class ItemStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class ItemBase(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    price: FiniteFloat = Field(gt=0)
    status: ItemStatus = ItemStatus.draft


class ItemCreate(ItemBase):
    pass


class ItemUpdate(BaseModel):
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
    created_at: datetime


class ErrorMessage(BaseModel):
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


# The "database" of this step: a dict in memory, lost when the server
# stops.
items: dict[int, ItemPublic] = {}
next_id = count(1)


def get_item_or_404(item_id: int) -> ItemPublic:
    if item_id not in items:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail="Item not found"
        )
    return items[item_id]


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}


@app.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(item_in: ItemCreate) -> ItemPublic:
    item = ItemPublic(
        **item_in.model_dump(),
        id=next(next_id),
        created_at=datetime.now(UTC),
    )
    items[item.id] = item
    return item


@app.get("/items")
async def list_items(
    skip: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[ItemPublic]:
    return list(items.values())[skip : skip + limit]


@app.get("/items/{item_id}", responses=NOT_FOUND)
async def read_item(item_id: int) -> ItemPublic:
    return get_item_or_404(item_id)


@app.patch("/items/{item_id}", responses=NOT_FOUND)
async def update_item(item_id: int, item_in: ItemUpdate) -> ItemPublic:
    item = get_item_or_404(item_id)
    # exclude_unset: only the fields the client sent, so the others keep
    # their values.
    updated = item.model_copy(
        update=item_in.model_dump(exclude_unset=True)
    )
    items[item_id] = updated
    return updated


@app.delete(
    "/items/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=NOT_FOUND,
)
async def delete_item(item_id: int) -> None:
    get_item_or_404(item_id)
    del items[item_id]
