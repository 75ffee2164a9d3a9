"""The move to pwdlib and PyJWT: old hashes upgraded at login, old tokens
still good.

The old hash and the old token below were made by step 09's code (passlib
with bcrypt at 4 rounds; python-jose), and are written here as they came
out of it: what a database and a client hold on the day step 12 is
deployed.
"""

import pytest
from sqlmodel import select

from app.auth.models import User
from app.config import settings

pytestmark = pytest.mark.anyio

PASSWORD = "correct horse battery staple"

# passlib's CryptContext(schemes=["bcrypt"],
# bcrypt__rounds=4).hash(PASSWORD)
BCRYPT_HASH = (
    "$2b$04$ZqqaNV9/Z3G9zZ7Q.N.B3urjQrS5TQa6prSIwPphVaOJPRuvSAyju"
)
# python-jose's jwt.encode({"sub": "1", "iat": 1767225600, "exp":
# 4102444800}, JOSE_KEY, algorithm="HS256"): user 1's token, valid until
# 2100.
JOSE_KEY = "step-09-issued-this-token-with-python-jose-3.5.0-key"
JOSE_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxIiwiaWF0IjoxNzY3MjI1NjAwLCJleHAiOjQxMDI0NDQ4MDB9"
    ".PgcwdjR0PNvN-shAoeWA9hsK6J90XEFgI-_GfWm8wIo"
)


async def stored_hash(session, email):
    """The hash in the database now (a column query: never a stale
    object)."""
    query = select(User.hashed_password).where(User.email == email)
    return (await session.exec(query)).one()


@pytest.fixture
async def old_user(session):
    """Ada, as step 09 stored her: a bcrypt hash."""
    session.add(
        User(email="ada@example.com", hashed_password=BCRYPT_HASH)
    )
    await session.commit()


async def log_in(client, password):
    form = {"username": "ada@example.com", "password": password}
    return await client.post("/auth/login", data=form)


async def test_new_hashes_are_argon2(client, session, user):
    assert (await stored_hash(session, user["email"])).startswith(
        "$argon2id$"
    )


async def test_an_old_bcrypt_hash_still_logs_in(
    client, session, old_user
):
    response = await log_in(client, PASSWORD)
    assert response.status_code == 200


async def test_a_wrong_password_leaves_the_old_hash(
    client, session, old_user
):
    for wrong in [
        "wrong password",
        PASSWORD.upper(),
        PASSWORD + "\0",
        PASSWORD + "é" * 40,
    ]:
        response = await log_in(client, wrong)
        assert response.status_code == 401
        assert (
            await stored_hash(session, "ada@example.com") == BCRYPT_HASH
        )


async def test_the_right_password_upgrades_the_hash(
    client, session, old_user
):
    assert (await log_in(client, PASSWORD)).status_code == 200
    new_hash = await stored_hash(session, "ada@example.com")
    assert new_hash.startswith("$argon2id$")
    # The new hash works, and stays: the next logins don't change it
    # again.
    assert (await log_in(client, PASSWORD)).status_code == 200
    assert (await log_in(client, "wrong password")).status_code == 401
    assert await stored_hash(session, "ada@example.com") == new_hash


async def test_a_token_from_python_jose_still_works(
    client, session, old_user, monkeypatch
):
    monkeypatch.setattr(settings, "secret_key", JOSE_KEY)
    response = await client.get(
        "/auth/me", headers={"Authorization": f"Bearer {JOSE_TOKEN}"}
    )
    assert response.status_code == 200
    assert response.json() == {"id": 1, "email": "ada@example.com"}
