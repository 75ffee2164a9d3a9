import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.auth.router import router as auth_router
from app.database import create_db_and_tables, engine
from app.items.router import router as items_router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Create the tables when the server starts, not when the module is imported.
    await create_db_and_tables()
    yield
    await engine.dispose()


app = FastAPI(title="Workshop API", lifespan=lifespan)


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


app.include_router(auth_router)
app.include_router(items_router)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}
