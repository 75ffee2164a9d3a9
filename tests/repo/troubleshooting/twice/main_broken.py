"""Troubleshooting: "Table 'item' is already defined": step 04's model left behind in main.py."""

from sqlmodel import Field, SQLModel

from . import models  # noqa: F401  (as app/items/router.py imports it, defining table "item")


# --8<-- [start:broken]
# Left in main.py after the model moved to app/items/models.py: a second table "item".
class Item(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


# --8<-- [end:broken]
