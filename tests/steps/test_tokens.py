"""Step 07 on: every bad token is refused with 401 and WWW-Authenticate:
Bearer.

The tokens here are made by hand (helpers.make_token), signed with the
SECRET_KEY the harness gives the app, so each one is wrong in exactly one
way.
"""

import base64
import json
import time

import pytest

from .helpers import expect_status, make_token

EMAIL, PASSWORD = "ada@example.com", "correct horse battery"
WRONG_SECRET_KEY = (
    "not-the-server-secret-key-but-just-as-long-0a1b2c3d4e5f6a7b8c9d"
)


@pytest.fixture
async def user(client):
    """A registered user: {"id", "email"}."""
    body = {"email": EMAIL, "password": PASSWORD}
    return expect_status(
        await client.post("/auth/register", json=body), 201
    ).json()


@pytest.fixture
def claims(user):
    """Good claims for `user`: valid for ten more minutes."""
    now = int(time.time())
    return {"sub": str(user["id"]), "iat": now, "exp": now + 600}


@pytest.fixture
def secret_key(app_under_test):
    return app_under_test.secret_key


async def me(client, authorization=None):
    headers = (
        {} if authorization is None else {"Authorization": authorization}
    )
    return await client.get("/auth/me", headers=headers)


def expect_refused(response):
    """Check the answer SPEC gives for every bad token: 401 with
    WWW-Authenticate: Bearer."""
    expect_status(response, 401)
    challenge = response.headers.get("www-authenticate", "")
    assert challenge.split(" ")[0] == "Bearer", (
        "a 401 must say how to authenticate: WWW-Authenticate: Bearer, "
        f"got {challenge!r}"
    )
    assert EMAIL not in response.text, (
        "a refused token must not reveal whose it was"
    )


@pytest.mark.steps("07+")
async def test_a_good_hand_made_token_is_accepted(
    client, user, claims, secret_key
):
    """A token made by hand with SECRET_KEY, HS256, sub, iat and exp is
    accepted.

    The other tests here change one thing in this token; they mean nothing
    unless this passes.
    """
    token = make_token(claims, secret_key)
    response = expect_status(await me(client, f"Bearer {token}"), 200)
    assert response.json() == user


@pytest.mark.steps("07+")
async def test_missing_token_is_401(client, user):
    """GET /auth/me without an Authorization header answers 401."""
    expect_refused(await me(client))


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "token",
    [
        pytest.param("not-a-token", id="no-dots"),
        pytest.param("a.b.c", id="three-bad-parts"),
        pytest.param(
            "eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.c2ln", id="claims-not-json"
        ),
        pytest.param("....", id="only-dots"),
        pytest.param("", id="empty"),
    ],
)
async def test_malformed_token_is_401(client, user, token):
    """A token that is not a JWT at all answers 401, not 500."""
    expect_refused(await me(client, f"Bearer {token}"))


@pytest.mark.steps("07+")
async def test_token_signed_with_another_key_is_401(client, claims):
    """A token signed with another key than SECRET_KEY answers 401."""
    expect_refused(
        await me(client, f"Bearer {make_token(claims, WRONG_SECRET_KEY)}")
    )


@pytest.mark.steps("07+")
async def test_token_with_changed_claims_is_401(
    client, claims, secret_key
):
    """A good token whose claims were changed after signing (sub swapped)
    answers 401."""
    body = {"email": "grace@example.com", "password": PASSWORD}
    grace = expect_status(
        await client.post("/auth/register", json=body), 201
    ).json()
    header, _, signature = make_token(claims, secret_key).split(".")
    _, grace_claims, _ = make_token(
        claims | {"sub": str(grace["id"])}, secret_key
    ).split(".")
    expect_refused(
        await me(client, f"Bearer {header}.{grace_claims}.{signature}")
    )


@pytest.mark.steps("07+")
async def test_expired_token_is_401(client, claims, secret_key):
    """A token whose exp is an hour ago answers 401."""
    now = int(time.time())
    expired = claims | {"iat": now - 7200, "exp": now - 3600}
    expect_refused(
        await me(client, f"Bearer {make_token(expired, secret_key)}")
    )


@pytest.mark.steps("07+")
async def test_token_without_exp_is_401(client, claims, secret_key):
    """A token without exp (one that would never expire) answers 401."""
    del claims["exp"]
    expect_refused(
        await me(client, f"Bearer {make_token(claims, secret_key)}")
    )


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"exp": None}, id="exp-null"),
        pytest.param({"exp": [2_000_000_000]}, id="exp-a-list"),
        pytest.param({"exp": "soon"}, id="exp-text"),
        pytest.param({"iat": None}, id="iat-null"),
        # JSON's Infinity (or 1e400) can't become a whole number of
        # seconds: python-jose raises OverflowError for it, and a dict for
        # nbf is a TypeError, not a JWTError.
        pytest.param({"exp": float("inf")}, id="exp-infinity"),
        pytest.param({"iat": float("inf")}, id="iat-infinity"),
        pytest.param({"nbf": float("-inf")}, id="nbf-minus-infinity"),
        pytest.param({"nbf": {}}, id="nbf-an-object"),
    ],
)
async def test_token_with_a_time_claim_of_the_wrong_type_is_401(
    client, claims, secret_key, change
):
    """A signed token whose exp, iat or nbf is null, a list, text or
    infinite is 401, not 500."""
    expect_refused(
        await me(
            client, f"Bearer {make_token(claims | change, secret_key)}"
        )
    )


@pytest.mark.steps("07+")
async def test_token_whose_json_is_nested_too_deep_is_401(
    client, claims, secret_key
):
    """A signed token whose claims nest arrays 100,000 deep (a
    RecursionError to parse) is 401."""
    # Python 3.13 parses 5,000 levels; 100,000 is a RecursionError on
    # every Python here.
    nested = b"[" * 100_000 + b"]" * 100_000
    raw_claims = (
        json.dumps(claims).encode()[:-1] + b', "x": ' + nested + b"}"
    )
    expect_refused(
        await me(client, f"Bearer {make_token(raw_claims, secret_key)}")
    )


@pytest.mark.steps("07+")
@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
async def test_unsigned_alg_none_token_is_401(client, claims, alg):
    """An unsigned token saying "alg": "none" answers 401: the accepted
    algorithms are pinned."""
    token = make_token(claims, None, alg)
    assert token.endswith("."), "an alg-none token has an empty signature"
    expect_refused(await me(client, f"Bearer {token}"))


@pytest.mark.steps("07+")
@pytest.mark.parametrize("alg", ["HS384", "HS512"])
async def test_token_of_another_algorithm_is_401(
    client, claims, secret_key, alg
):
    """A token signed with the right key but another algorithm than HS256
    answers 401."""
    expect_refused(
        await me(client, f"Bearer {make_token(claims, secret_key, alg)}")
    )


@pytest.mark.steps("07+")
async def test_token_without_sub_is_401(client, claims, secret_key):
    """A token without sub (whom it is about) answers 401."""
    del claims["sub"]
    expect_refused(
        await me(client, f"Bearer {make_token(claims, secret_key)}")
    )


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "sub",
    ["abc", "", "1.5", "0", "-1", "9" * 30, " {id}", "0{id}", "{id}\n"],
)
async def test_token_whose_sub_is_not_a_user_id_is_401(
    client, claims, secret_key, sub
):
    """A token whose sub is not a user id written plainly (e.g. "abc", "
    1") answers 401."""
    # "{id}" stands for the real user's id: " 1" or "01" must not pass for
    # user 1.
    token = make_token(
        claims | {"sub": sub.format(id=claims["sub"])}, secret_key
    )
    expect_refused(await me(client, f"Bearer {token}"))


@pytest.mark.steps("07+")
async def test_token_of_a_user_that_does_not_exist_is_401(
    client, claims, secret_key
):
    """A well-signed token for user id 999999, who doesn't exist, answers
    401."""
    token = make_token(claims | {"sub": "999999"}, secret_key)
    expect_refused(await me(client, f"Bearer {token}"))


@pytest.mark.steps("07+")
async def test_token_of_a_user_no_longer_in_the_database_is_401(
    serve, app_under_test
):
    """A real token, shown to a server whose database no longer has its
    user, answers 401."""
    async with serve() as client:
        body = {"email": EMAIL, "password": PASSWORD}
        expect_status(await client.post("/auth/register", json=body), 201)
        login = await client.post(
            "/auth/login", data={"username": EMAIL, "password": PASSWORD}
        )
        token = expect_status(login, 200).json()["access_token"]
    empty_database = app_under_test.new_database("empty.db")
    async with serve(DATABASE_URL=empty_database) as client:
        expect_refused(await me(client, f"Bearer {token}"))


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "scheme",
    [
        pytest.param("Basic", id="basic"),
        pytest.param("Token", id="token"),
        pytest.param("", id="no-scheme"),
    ],
)
async def test_scheme_other_than_bearer_is_401(
    client, claims, secret_key, scheme
):
    """A good token sent as "Basic …", "Token …" or with no scheme answers
    401."""
    token = make_token(claims, secret_key)
    expect_refused(await me(client, f"{scheme} {token}".strip()))


@pytest.mark.steps("07+")
async def test_basic_credentials_are_401(client, user):
    """HTTP Basic credentials (email:password) instead of a token answer
    401."""
    credentials = base64.b64encode(
        f"{EMAIL}:{PASSWORD}".encode()
    ).decode()
    expect_refused(await me(client, f"Basic {credentials}"))


@pytest.mark.steps("07+")
def test_auth_dependencies_module(app_under_test):
    """The current-user dependency lives in app/auth/dependencies.py."""
    path = app_under_test.app_dir / "app/auth/dependencies.py"
    assert path.is_file(), (
        "app/auth/dependencies.py is missing (get_current_user, "
        "CurrentUser)"
    )
