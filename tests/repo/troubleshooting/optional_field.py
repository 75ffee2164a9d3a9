"""Troubleshooting, "Field required" for a field meant to be optional.

`str | None` says what a field may hold (a string, or null); only a default makes it optional
to send. docs/troubleshooting.md includes this file; test_optional_field.py checks it.
"""

from typing import Annotated

from fastapi import FastAPI, Query
from pydantic import BaseModel, Field

app = FastAPI()


# --8<-- [start:broken]
class ItemBroken(BaseModel):
    name: str
    description: str | None  # may be null, but must be sent: "Field required"


@app.post("/broken/items")
async def create_broken(item: ItemBroken) -> ItemBroken:
    return item


@app.get("/broken/search")
async def search_broken(q: Annotated[str | None, Query(max_length=50)]) -> dict[str, str | None]:
    return {"q": q}  # no default: ?q= is required


# --8<-- [end:broken]


# --8<-- [start:fixed]
class ItemFixed(BaseModel):
    name: str
    description: str | None = None  # may be left out: it defaults to None
    notes: str | None = Field(default=None, max_length=500)  # the same, with constraints


@app.post("/fixed/items")
async def create_fixed(item: ItemFixed) -> ItemFixed:
    return item


@app.get("/fixed/search")
async def search_fixed(
    q: Annotated[str | None, Query(max_length=50)] = None,
) -> dict[str, str | None]:
    return {"q": q}


# --8<-- [end:fixed]
