from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, FiniteFloat, field_validator
from sqlmodel import Field, SQLModel

from app.items.models import ItemBase, ItemStatus


def as_utc(value: datetime) -> datetime:
    # SQLite stores no time zone: a stored time comes back naive, but we only ever store UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UTCDateTime = Annotated[datetime, AfterValidator(as_utc)]


class ItemCreate(ItemBase):
    pass


class ItemUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    price: FiniteFloat | None = Field(default=None, gt=0)
    status: ItemStatus | None = None

    @field_validator("name", "price", "status")
    @classmethod
    def not_null(cls, value: object) -> object:
        # Runs only for fields that were sent: leaving a field out is fine, null is not.
        if value is None:
            raise ValueError("may be left out, but not set to null")
        return value


class ItemPublic(ItemBase):
    id: int
    created_at: UTCDateTime
    owner_id: int
