"""Tokens: login's work; every forged, broken or expired one is a 401.

The tokens here are made with python-jose, the library the app uses, and
the app's own SECRET_KEY (app.config.settings): each is as valid as
login's but for the one thing changed.
"""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from jose import jwt
from sqlmodel import select

from app.auth.models import User
from app.config import settings

pytestmark = pytest.mark.anyio


def claims(user_id: int, **changes: object) -> dict[str, object]:
    """Valid claims for the user, then `changes` (None removes a
    claim)."""
    now = datetime.now(UTC)
    exp = now + timedelta(minutes=5)
    valid = {"sub": str(user_id), "iat": now, "exp": exp}
    changed = valid | changes
    return {k: v for k, v in changed.items() if v is not None}


def sign(
    claims: dict[str, object], key: str = "", alg: str = "HS256"
) -> str:
    return jwt.encode(claims, key or settings.secret_key, algorithm=alg)


def unsigned(claims: dict[str, object]) -> str:
    """A token with "alg": "none" and no signature. python-jose refuses to
    make one ("Algorithm none not supported"): it is written by hand."""

    def encode(part: dict[str, object]) -> str:
        text = json.dumps(
            part, default=lambda when: int(when.timestamp())
        )
        return (
            base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()
        )

    return f"{encode({'alg': 'none', 'typ': 'JWT'})}.{encode(claims)}."


def ago(minutes: int) -> datetime:
    return datetime.now(UTC) - timedelta(minutes=minutes)


async def test_token_from_login(client, user):
    form = {"username": user["email"], "password": user["password"]}
    response = await client.post("/auth/login", data=form)
    token = response.json()["access_token"]
    read = jwt.decode(token, settings.secret_key, algorithms=["HS256"])
    assert read["sub"] == str(user["id"])
    lifetime = settings.access_token_expire_minutes * 60
    assert read["exp"] - read["iat"] == lifetime


async def test_a_token_made_here_works(client, user):
    # Proof that each token below fails for the one thing changed in it.
    headers = {"Authorization": f"Bearer {sign(claims(user['id']))}"}
    response = await client.get("/auth/me", headers=headers)
    assert response.status_code == 200
    assert response.json()["id"] == user["id"]


BAD_TOKENS = {
    "expired": lambda uid: sign(claims(uid, iat=ago(10), exp=ago(1))),
    "wrong key": lambda uid: sign(claims(uid), key="not the app's key"),
    "HS512, not HS256": lambda uid: sign(claims(uid), alg="HS512"),
    "alg none": lambda uid: unsigned(claims(uid)),
    "no exp": lambda uid: sign(claims(uid, exp=None)),
    "no sub": lambda uid: sign(claims(uid, sub=None)),
    "sub not a number": lambda uid: sign(claims(uid, sub="ada")),
    "sub an int, not text": lambda uid: sign(claims(uid, sub=uid)),
    "sub with a leading 0": lambda uid: sign(claims(uid, sub=f"0{uid}")),
    "sub too large": lambda uid: sign(claims(2**31)),
    "unknown user": lambda uid: sign(claims(uid + 1000)),
    "not a JWT": lambda uid: "not-a-token",
    "no signature": lambda uid: (
        sign(claims(uid)).rpartition(".")[0] + "."
    ),
}


@pytest.mark.parametrize(
    "make", BAD_TOKENS.values(), ids=BAD_TOKENS.keys()
)
async def test_bad_token_is_401(client, user, make):
    headers = {"Authorization": f"Bearer {make(user['id'])}"}
    response = await client.get("/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


NO_TOKEN = {
    "no header": {},
    "no token": {"Authorization": "Bearer"},
    "not bearer": {"Authorization": "Basic YWRhOmNvcnJlY3QgaG9yc2U="},
}


@pytest.mark.parametrize(
    "headers", NO_TOKEN.values(), ids=NO_TOKEN.keys()
)
async def test_missing_token_is_401(client, headers):
    response = await client.get("/auth/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_token_of_a_deleted_user_is_401(
    client, session, auth_headers
):
    [ada] = (await session.exec(select(User))).all()
    await session.delete(ada)
    await session.commit()
    response = await client.get("/auth/me", headers=auth_headers)
    assert response.status_code == 401
