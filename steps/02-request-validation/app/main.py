import math
from typing import Annotated

from fastapi import FastAPI, Path, Query, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, FiniteFloat

app = FastAPI(title="Workshop API")


def finite_or_text(number: float) -> float | str:
    return number if math.isfinite(number) else str(number)


@app.exception_handler(RequestValidationError)
async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    # FastAPI's own handler echoes each rejected value, and JSON can't write NaN or Infinity
    # (which Python's json module reads, like 1e400): that would crash into a 500. Same 422,
    # with such a number as text.
    detail = jsonable_encoder(exc.errors(), custom_encoder={float: finite_or_text})
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail}
    )


class Item(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    price: FiniteFloat = Field(gt=0)


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
