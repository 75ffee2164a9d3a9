import math
from typing import Annotated

from fastapi import Path, Query, Request, status
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
    q: Annotated[
        str | None, Query(description="An optional search string")
    ] = None,
) -> dict[str, int | str | None]:
    return {"item_id": item_id, "q": q}


@app.post("/items")
async def create_item(item: Item) -> Item:
    return item
