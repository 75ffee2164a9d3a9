"""The fix: one definition of each table, imported from where it lives."""

# --8<-- [start:fixed]
from .models import Item  # the only definition of the table "item"

# --8<-- [end:fixed]

__all__ = ["Item"]
