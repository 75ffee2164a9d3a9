import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from app.auth.router import router as auth_router
from app.database import create_db_and_tables, engine
from app.items.router import router as items_router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Create the tables when the server starts, not when the module is
    # imported.
    await create_db_and_tables()
    yield
    await engine.dispose()


app = FastAPIOffline(title="Workshop API", lifespan=lifespan)


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


app.include_router(auth_router)
app.include_router(items_router)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}
