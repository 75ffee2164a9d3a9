"""Fixtures for every test: a client on a fresh app, users and their
tokens.

pytest finds this file by its name and gives its fixtures to every test in
this folder: a test asks for one by naming it as a parameter.
"""

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest
from asgi_lifespan import LifespanManager
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

# The app reads its settings once, when it is imported: set them first.
TEST_SETTINGS = {
    # bcrypt's lowest cost: a hash takes about a millisecond, not 0.2 s.
    "BCRYPT_ROUNDS": "4",
    # The app's own engine, whose tables the lifespan creates: in memory,
    # so that no test touches ./workshop.db. Requests use the test's
    # database.
    "DATABASE_URL": "sqlite+aiosqlite://",
}
os.environ.update(TEST_SETTINGS)

from app.database import get_session  # noqa: E402
from app.main import app  # noqa: E402

PASSWORD = "correct horse battery staple"
# What the user fixtures give: a user as the API answered (plus the
# password), and the headers that send a token.
UserData = dict[str, Any]
Headers = dict[str, str]


@pytest.fixture
def anyio_backend() -> str:
    # The anyio plugin runs the async tests; on asyncio, as uvicorn does.
    return "asyncio"


@pytest.fixture
async def engine() -> AsyncIterator[AsyncEngine]:
    """A new, empty database for each test, in memory.

    An in-memory SQLite database lives as long as its one connection:
    StaticPool makes every session of the test share that connection.
    """
    engine = create_async_engine(
        "sqlite+aiosqlite://", poolclass=StaticPool
    )
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.create_all)
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session on the test's database, to look at what the API
    stored."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    """The app, started with its lifespan, on the test's database."""

    async def get_test_session() -> AsyncIterator[AsyncSession]:
        async with AsyncSession(
            engine, expire_on_commit=False
        ) as session:
            yield session

    # Wherever a route depends on get_session, FastAPI now calls this
    # instead.
    app.dependency_overrides[get_session] = get_test_session
    try:
        # httpx calls the app in-process, and doesn't run its lifespan:
        # LifespanManager does, as uvicorn would, before the first
        # request.
        async with (
            LifespanManager(app) as manager,
            AsyncClient(
                transport=ASGITransport(app=manager.app),
                base_url="http://test",
            ) as client,
        ):
            yield client
    finally:
        app.dependency_overrides.clear()


async def register(client: AsyncClient, email: str) -> UserData:
    """Register a user with PASSWORD; the API's answer plus the
    password."""
    body = {"email": email, "password": PASSWORD}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201, response.text
    return response.json() | {"password": PASSWORD}


async def log_in(client: AsyncClient, user: UserData) -> Headers:
    """Log a registered user in; the headers that send their token."""
    form = {"username": user["email"], "password": user["password"]}
    response = await client.post("/auth/login", data=form)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
async def user(client: AsyncClient) -> UserData:
    """Ada, registered: {"id": …, "email": …, "password": …}."""
    return await register(client, "ada@example.com")


@pytest.fixture
async def auth_headers(client: AsyncClient, user: UserData) -> Headers:
    """Ada's token, in the header that sends it."""
    return await log_in(client, user)


@pytest.fixture
async def other_user(client: AsyncClient) -> UserData:
    """Grace, a second user."""
    return await register(client, "grace@example.com")


@pytest.fixture
async def other_headers(
    client: AsyncClient, other_user: UserData
) -> Headers:
    """Grace's token, in the header that sends it."""
    return await log_in(client, other_user)


@pytest.fixture
async def item(
    client: AsyncClient, auth_headers: Headers
) -> dict[str, Any]:
    """An item of Ada's, as the API answered its creation."""
    body = {
        "name": "Coffee mug",
        "description": "Blue, 300 ml",
        "price": 9.5,
    }
    response = await client.post(
        "/items", json=body, headers=auth_headers
    )
    assert response.status_code == 201, response.text
    return response.json()
