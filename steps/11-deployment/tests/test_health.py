"""GET /health: "ok" after a query, 503 "unavailable" when the database
fails."""

import pytest
from sqlalchemy.exc import OperationalError

from app.database import get_session
from app.main import app

pytestmark = pytest.mark.anyio


class UnreachableDatabase:
    """A session whose every query fails, as when the database server is
    down."""

    async def exec(self, statement):
        raise OperationalError(
            str(statement), {}, ConnectionRefusedError("refused")
        )


async def test_health_is_ok(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_health_is_503_when_the_database_fails(client):
    async def unreachable():
        yield UnreachableDatabase()

    # Set after the client fixture's own override: this one wins, for this
    # test.
    app.dependency_overrides[get_session] = unreachable
    response = await client.get("/health")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
