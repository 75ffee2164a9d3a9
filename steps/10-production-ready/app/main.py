import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlmodel import select

from app.auth.router import router as auth_router
from app.config import settings
from app.database import SessionDep, create_db_and_tables, engine
from app.items.router import router as items_router
from app.schemas import Health

# Logging is set up here, once. Every module logs with
# logging.getLogger(__name__); the lines go to the terminal, where a
# server's log collector picks them up.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
logger = logging.getLogger(__name__)

CallNext = Callable[[Request], Awaitable[Response]]


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


# Middleware wraps the app in layers: the one added last is the outermost,
# the first to see a request. Here, from the outside in: log_requests,
# CORS, catch_errors, the routes.


@app.middleware("http")
async def catch_errors(request: Request, call_next: CallNext) -> Response:
    """An unhandled error: a 500 without details, the traceback in the
    log."""
    try:
        return await call_next(request)
    except Exception:
        # The traceback goes to the log; the client learns nothing of the
        # code.
        path = request.url.path
        logger.exception("Unhandled error in %s %s", request.method, path)
        return JSONResponse(
            status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
            content={"detail": "Internal server error"},
        )


# Which web pages (origins) may call the API from a browser. Outside
# catch_errors, so that a 500 carries the CORS headers too: the browser
# then shows the error, not a CORS one.
app.add_middleware(
    CORSMiddleware,
    allow_origins=settings.cors_origins,
    allow_credentials=True,
    allow_methods=["*"],
    allow_headers=["*"],
)


@app.middleware("http")
async def log_requests(request: Request, call_next: CallNext) -> Response:
    """One line per request: method, path, status and how long it took."""
    start = time.perf_counter()
    response = await call_next(request)
    duration_ms = (time.perf_counter() - start) * 1000
    logger.info(
        "%s %s %d %.1f ms",
        request.method,
        request.url.path,
        response.status_code,
        duration_ms,
    )
    return response


app.include_router(auth_router)
app.include_router(items_router)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}


@app.get(
    "/health",
    responses={
        status.HTTP_503_SERVICE_UNAVAILABLE: {
            "model": Health,
            "description": "The database can't be reached",
        }
    },
)
async def health(session: SessionDep, response: Response) -> Health:
    """For a load balancer or an orchestrator: can this instance serve?"""
    try:
        await session.exec(select(1))  # a real round trip to the database
    except Exception as exc:
        logger.warning(
            "Health check failed: %s: %s", type(exc).__name__, exc
        )
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
        return Health(status="unavailable")
    return Health(status="ok")
