from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

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
app.include_router(auth_router)
app.include_router(items_router)


@app.get("/")
async def root() -> dict[str, str]:
    return {"message": "Hello World"}
