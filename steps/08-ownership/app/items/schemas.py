from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, FiniteFloat
from sqlmodel import Field, SQLModel

from app.items.models import ItemBase, ItemStatus


def as_utc(value: datetime) -> datetime:
    # SQLite stores no time zone: a stored time comes back naive, but we
    # only ever store UTC.
    return (
        value.replace(tzinfo=UTC)
        if value.tzinfo is None
        else value.astimezone(UTC)
    )


UTCDateTime = Annotated[datetime, AfterValidator(as_utc)]


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
    owner_id: int
