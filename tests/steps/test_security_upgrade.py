"""Step 12 on: PyJWT and pwdlib (Argon2), without logging anyone out.

The users and tokens here are made by running the previous step's
reference code (bcrypt hashes, python-jose tokens) against a database;
then the app under test runs on that same database, as on the day a team
deploys the upgrade. The stored hashes are read straight from the
database.
"""

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from tools.steps import get_step, previous_step

from .conftest import TEST_ENV, AppUnderTest
from .helpers import expect_status, make_token

EMAIL, PASSWORD = "ada@example.com", "correct horse battery"


async def stored_hash(app_under_test, email=EMAIL):
    """The hashed_password column of the user with this email, read from
    the test's database."""
    engine = create_async_engine(app_under_test.database_url)
    try:
        async with engine.connect() as connection:
            query = text(
                'SELECT hashed_password FROM "user" WHERE email = :email'
            )
            row = (
                await connection.execute(query, {"email": email})
            ).first()
    finally:
        await engine.dispose()
    assert row is not None, f"no user {email} in the test's database"
    return row[0]


async def login(client, password=PASSWORD, email=EMAIL):
    return await client.post(
        "/auth/login", data={"username": email, "password": password}
    )


@pytest.fixture
async def old_token(app_under_test, monkeypatch, tmp_path, step):
    """Ada registered and logged in by the previous step's code: her token
    (python-jose's).

    Her hash in the database is bcrypt's ("$2b$…"), as that code wrote
    it."""
    before = previous_step(get_step(f"{step:02d}"))
    assert before is not None
    old_app = AppUnderTest(
        before.path,
        monkeypatch,
        tmp_path,
        app_under_test.database_url,
        int(before.number),
        app_under_test.migrated_sqlite,
    )
    async with old_app.serve() as client:
        body = {"email": EMAIL, "password": PASSWORD}
        expect_status(await client.post("/auth/register", json=body), 201)
        token = expect_status(await login(client), 200).json()[
            "access_token"
        ]
    assert (await stored_hash(app_under_test)).startswith("$2b$"), (
        "the previous step hashes with bcrypt"
    )
    return token


@pytest.mark.steps("12+")
async def test_a_token_of_the_previous_step_still_works(
    app_under_test, old_token
):
    """A token issued before the upgrade (python-jose) is accepted by GET
    /auth/me after it."""
    async with app_under_test.serve() as client:
        me = await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {old_token}"}
        )
        assert expect_status(me, 200).json()["email"] == EMAIL


@pytest.mark.steps("12+")
async def test_a_wrong_password_leaves_the_old_hash(
    app_under_test, old_token
):
    """A failed login of a user with an old bcrypt hash answers 401 and
    changes nothing stored."""
    before = await stored_hash(app_under_test)
    async with app_under_test.serve() as client:
        for wrong in ["wrong password", PASSWORD.upper(), PASSWORD + "x"]:
            expect_status(await login(client, wrong), 401)
            assert await stored_hash(app_under_test) == before, (
                f"a failed login ({wrong!r}) changed the stored hash"
            )


@pytest.mark.steps("12+")
async def test_the_right_password_upgrades_an_old_hash(
    app_under_test, old_token
):
    """Logging in with an old bcrypt hash works and replaces it by an
    Argon2 hash, which works."""
    async with app_under_test.serve() as client:
        token = expect_status(await login(client), 200).json()[
            "access_token"
        ]
        upgraded = await stored_hash(app_under_test)
        assert upgraded.startswith("$argon2id$"), (
            "after a successful login the hash should be Argon2's, got "
            f"{upgraded[:7]!r}…"
        )
        me = await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {token}"}
        )
        expect_status(me, 200)
        # The next login checks the new hash, and leaves it as it is.
        expect_status(await login(client), 200)
        expect_status(await login(client, "wrong password"), 401)
        assert await stored_hash(app_under_test) == upgraded


@pytest.mark.steps("12+")
async def test_a_new_registration_is_hashed_with_argon2(
    app_under_test, old_token
):
    """A user registered after the upgrade gets an Argon2 hash
    ("$argon2id$…") from the start."""
    async with app_under_test.serve() as client:
        body = {"email": "grace@example.com", "password": PASSWORD}
        expect_status(await client.post("/auth/register", json=body), 201)
        new_hash = await stored_hash(app_under_test, "grace@example.com")
        assert new_hash.startswith("$argon2id$"), (
            f"a new user's hash starts {new_hash[:7]!r}…"
        )
        expect_status(await login(client, email="grace@example.com"), 200)
        # Ada, who hasn't logged in since, keeps her bcrypt hash and keeps
        # working.
        assert (await stored_hash(app_under_test)).startswith("$2b$")


@pytest.mark.steps("12+")
async def test_a_token_with_an_unknown_critical_header_is_401(
    client, app_under_test
):
    """A signed token whose header has an unknown critical extension
    (`crit`) answers 401.

    RFC 7515, 4.1.11: a token naming in `crit` an extension the receiver
    doesn't understand is invalid. python-jose 3.5 accepts it; PyJWT
    refuses it."""
    body = {"email": EMAIL, "password": PASSWORD}
    user = expect_status(
        await client.post("/auth/register", json=body), 201
    ).json()
    now = int(time.time())
    claims = {"sub": str(user["id"]), "iat": now, "exp": now + 600}
    good = make_token(claims, app_under_test.secret_key)
    expect_status(
        await client.get(
            "/auth/me", headers={"Authorization": f"Bearer {good}"}
        ),
        200,
    )
    token = make_token(
        claims,
        app_under_test.secret_key,
        crit=["x-mfa"],
        **{"x-mfa": True},
    )
    response = await client.get(
        "/auth/me", headers={"Authorization": f"Bearer {token}"}
    )
    expect_status(response, 401)


@pytest.mark.steps("12+")
def test_the_app_imports_neither_passlib_nor_python_jose(app_under_test):
    """app.main imports without passlib or python-jose, and without any
    warning (`-W error`).

    passlib imports the standard library's `crypt` (deprecated, gone in
    Python 3.13): steps 06-11 need a warning filter for it, the upgraded
    app doesn't."""
    script = (
        "import sys, app.main\nold = "
        "sorted({name.split('.')[0] for name in sys.modules} & "
        "{'passlib', 'jose'})\nsys.exit(f'still imported: {old}' if old "
        "else 0)\n"
    )
    # Run in the test's empty folder (no stray .env), with the app's
    # folder on the path.
    keep = {
        name: os.environ[name]
        for name in ("PATH", "SYSTEMROOT")
        if name in os.environ
    }
    env = (
        keep
        | TEST_ENV
        | {
            "DATABASE_URL": app_under_test.database_url,
            "PYTHONPATH": str(app_under_test.app_dir),
        }
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        cwd=app_under_test.tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr.strip().splitlines()[-1:]
