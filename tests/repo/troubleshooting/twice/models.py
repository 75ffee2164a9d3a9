"""Where the Item table lives after step 05's move (app/items/models.py)."""

from sqlmodel import Field, SQLModel


class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
