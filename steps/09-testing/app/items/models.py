from datetime import UTC, datetime
from enum import StrEnum

from pydantic import FiniteFloat
from sqlalchemy import DateTime
from sqlmodel import Field, SQLModel


class ItemStatus(StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


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
    # The user who created the item: taken from the token, never from the
    # request body.
    owner_id: int = Field(foreign_key="user.id", index=True)
