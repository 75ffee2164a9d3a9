"""Logging in: a token for the right password, one 401 for everything
else."""

import pytest

pytestmark = pytest.mark.anyio


async def test_login_gives_a_bearer_token(client, user):
    form = {"username": user["email"], "password": user["password"]}
    response = await client.post("/auth/login", data=form)
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    token = response.json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    me = await client.get("/auth/me", headers=headers)
    assert me.status_code == 200
    assert me.json() == {"id": user["id"], "email": user["email"]}


async def test_login_ignores_the_email_case(client, user):
    form = {"username": "ADA@Example.com", "password": user["password"]}
    response = await client.post("/auth/login", data=form)
    assert response.status_code == 200


async def test_each_user_has_their_own_token(
    client, auth_headers, other_headers
):
    ada = await client.get("/auth/me", headers=auth_headers)
    grace = await client.get("/auth/me", headers=other_headers)
    assert ada.json()["email"] == "ada@example.com"
    assert grace.json()["email"] == "grace@example.com"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("ada@example.com", "wrong password"),
        ("ada@example.com", "CORRECT HORSE BATTERY STAPLE"),
        ("nobody@example.com", "correct horse battery staple"),
    ],
)
async def test_wrong_credentials_are_401(client, user, email, password):
    form = {"username": email, "password": password}
    response = await client.post("/auth/login", data=form)
    assert response.status_code == 401
    assert response.json() == {"detail": "Incorrect email or password"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_only_the_whole_long_password_logs_in(client):
    # bcrypt reads 72 bytes: a password that only starts with them is
    # wrong.
    password = "é" * 36  # 72 bytes
    body = {"email": "ada@example.com", "password": password}
    assert (
        await client.post("/auth/register", json=body)
    ).status_code == 201
    for attempt, expected in [(password, 200), (password + "x", 401)]:
        form = {"username": "ada@example.com", "password": attempt}
        response = await client.post("/auth/login", data=form)
        assert response.status_code == expected


async def test_login_wants_a_form_not_json(client, user):
    body = {"username": user["email"], "password": user["password"]}
    response = await client.post("/auth/login", json=body)
    assert response.status_code == 422
