from typing import Annotated

from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, Field

app = FastAPI(title="Workshop API")


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    price: float = Field(gt=0)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}


@app.get("/items/{item_id}")
async def read_item(
    item_id: Annotated[int, Path(description="The item's numeric id")],
    q: Annotated[str | None, Query(description="An optional search string")] = None,
) -> dict[str, int | str | None]:
    return {"item_id": item_id, "q": q}


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item
