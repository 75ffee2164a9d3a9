"""Registration: what it answers, what it stores, and what it refuses."""

import pytest
from sqlmodel import select

from app.auth.models import User

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"


async def stored_users(session) -> list[User]:
    return list((await session.exec(select(User))).all())


async def test_register(client):
    body = {"email": "ada@example.com", "password": PASSWORD}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201
    user = response.json()
    # The id and the email: never the password, never its hash.
    assert user == {"id": user["id"], "email": "ada@example.com"}
    assert isinstance(user["id"], int)


async def test_register_stores_a_hash_not_the_password(client, session):
    body = {"email": "ada@example.com", "password": PASSWORD}
    await client.post("/auth/register", json=body)
    [user] = await stored_users(session)
    assert user.email == "ada@example.com"
    assert PASSWORD not in user.hashed_password
    assert user.hashed_password.startswith("$2b$")  # bcrypt's mark


async def test_email_is_stored_lower_cased(client, session):
    body = {"email": "Ada@Example.COM", "password": PASSWORD}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201
    assert response.json()["email"] == "ada@example.com"
    [user] = await stored_users(session)
    assert user.email == "ada@example.com"


@pytest.mark.parametrize("email", ["ada@example.com", "ADA@example.com"])
async def test_duplicate_email_is_409(client, session, user, email):
    body = {"email": email, "password": "another password"}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 409
    assert response.json() == {"detail": "Email already registered"}
    assert len(await stored_users(session)) == 1


async def test_two_users(client, user, other_user):
    assert user["id"] != other_user["id"]


INVALID = {
    "not an email": {"email": "ada", "password": PASSWORD},
    "no email": {"password": PASSWORD},
    "no password": {"email": "ada@example.com"},
    "7 characters": {"email": "ada@example.com", "password": "x" * 7},
    # 37 characters, but 74 bytes in UTF-8: bcrypt would ignore the last
    # two.
    "73+ bytes": {"email": "ada@example.com", "password": "é" * 37},
}


@pytest.mark.parametrize("body", INVALID.values(), ids=INVALID.keys())
async def test_invalid_registration_is_422(client, session, body):
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 422
    assert await stored_users(session) == []


VALID = {"8 characters": "x" * 8, "72 bytes": "é" * 36}


@pytest.mark.parametrize("password", VALID.values(), ids=VALID.keys())
async def test_shortest_and_longest_passwords_fit(client, password):
    body = {"email": "ada@example.com", "password": password}
    response = await client.post("/auth/register", json=body)
    assert response.status_code == 201
