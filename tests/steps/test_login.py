"""Step 07 on: users log in with the OAuth2 password flow and get a JWT;
GET /auth/me."""

import time
from urllib.parse import urljoin, urlsplit

import pytest

from .helpers import expect_status, read_token, signed_with

EMAIL, PASSWORD = "ada@example.com", "correct horse battery"
OTHER_SECRET_KEY = (
    "another-secret-key-for-a-second-server-0f9e8d7c6b5a49382716"
)


async def register(client, email=EMAIL, password=PASSWORD):
    body = {"email": email, "password": password}
    return expect_status(
        await client.post("/auth/register", json=body), 201
    ).json()


async def login(client, email=EMAIL, password=PASSWORD):
    return await client.post(
        "/auth/login", data={"username": email, "password": password}
    )


async def token_of(client, email=EMAIL, password=PASSWORD):
    return expect_status(
        await login(client, email, password), 200
    ).json()["access_token"]


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def expect_login_refused(response):
    """Check the one answer SPEC gives for every failed login."""
    expect_status(response, 401)
    assert response.json() == {"detail": "Incorrect email or password"}
    assert response.headers.get("www-authenticate") == "Bearer", (
        "a 401 must say how to authenticate: add "
        "headers={'WWW-Authenticate': 'Bearer'}"
    )


@pytest.mark.steps("07+")
async def test_login_answers_a_bearer_token(client):
    """POST /auth/login with the right email and password answers 200
    {access_token, token_type}."""
    await register(client)
    body = expect_status(await login(client), 200).json()
    assert set(body) == {"access_token", "token_type"}, (
        f"expected a token and its type, got {body}"
    )
    assert body["token_type"] == "bearer"
    assert body["access_token"].count(".") == 2, (
        "the access token is a JWT: three parts, two dots"
    )


@pytest.mark.steps("07+")
async def test_token_is_an_hs256_jwt_with_sub_iat_and_exp(
    client, app_under_test
):
    """The token is signed with SECRET_KEY by HS256 and says sub (the user
    id), iat and exp."""
    user = await register(client)
    before = int(time.time())
    token = await token_of(client)
    header, claims = read_token(token)
    assert header.get("alg") == "HS256", (
        f"sign with HS256, not {header.get('alg')}"
    )
    assert signed_with(token, app_under_test.secret_key), (
        "sign the token with SECRET_KEY"
    )
    assert claims.get("sub") == str(user["id"]), (
        "sub must be the user's id, as a string"
    )
    for claim in ("iat", "exp"):
        assert isinstance(claims.get(claim), int), (
            f"{claim} must be a number of seconds (UTC)"
        )
    assert before - 5 <= claims["iat"] <= time.time() + 5, (
        "iat is the time the token was issued"
    )


@pytest.mark.steps("07+")
async def test_token_lasts_30_minutes_by_default(client):
    """Without ACCESS_TOKEN_EXPIRE_MINUTES, a token expires 30 minutes
    after it was issued."""
    await register(client)
    _, claims = read_token(await token_of(client))
    assert claims["exp"] - claims["iat"] == 30 * 60, (
        "exp - iat must be 1800 seconds by default"
    )


@pytest.mark.steps("07+")
async def test_access_token_expire_minutes_is_honoured(serve):
    """With ACCESS_TOKEN_EXPIRE_MINUTES=5, a token expires 5 minutes after
    it was issued."""
    async with serve(ACCESS_TOKEN_EXPIRE_MINUTES="5") as client:
        await register(client)
        _, claims = read_token(await token_of(client))
    assert claims["exp"] - claims["iat"] == 5 * 60, (
        "read ACCESS_TOKEN_EXPIRE_MINUTES from settings"
    )


@pytest.mark.steps("07+")
async def test_secret_key_is_honoured(serve):
    """With SECRET_KEY set, tokens are signed with that key."""
    async with serve(SECRET_KEY=OTHER_SECRET_KEY) as client:
        await register(client)
        token = await token_of(client)
    assert signed_with(token, OTHER_SECRET_KEY), (
        "read SECRET_KEY from settings and sign with it"
    )


@pytest.mark.steps("07+")
async def test_token_stays_valid_across_a_restart(serve):
    """A token still works after the server restarts with the same
    SECRET_KEY."""
    async with serve() as client:
        await register(client)
        token = await token_of(client)
    async with serve() as client:
        response = expect_status(
            await client.get("/auth/me", headers=bearer(token)), 200
        )
        assert response.json()["email"] == EMAIL


@pytest.mark.steps("07+")
async def test_token_is_refused_after_a_restart_with_another_secret_key(
    serve,
):
    """A token signed before a restart with another SECRET_KEY answers
    401."""
    async with serve() as client:
        await register(client)
        token = await token_of(client)
    async with serve(SECRET_KEY=OTHER_SECRET_KEY) as client:
        response = expect_status(
            await client.get("/auth/me", headers=bearer(token)), 401
        )
        assert response.headers.get("www-authenticate") == "Bearer"


@pytest.mark.steps("07+")
async def test_me_answers_the_logged_in_user(client):
    """GET /auth/me with a token answers 200 with exactly {"id", "email"}
    of its user."""
    user = await register(client)
    response = expect_status(
        await client.get(
            "/auth/me", headers=bearer(await token_of(client))
        ),
        200,
    )
    assert response.json() == user, (
        "/auth/me answers the user as registration did: id and email"
    )


@pytest.mark.steps("07+")
async def test_each_token_belongs_to_its_own_user(client):
    """Two users get two tokens, and GET /auth/me answers each token with
    its own user."""
    ada = await register(client, "ada@example.com")
    grace = await register(
        client, "grace@example.com", "another good password"
    )
    ada_token = await token_of(client, "ada@example.com")
    grace_token = await token_of(
        client, "grace@example.com", "another good password"
    )
    for token, user in ((ada_token, ada), (grace_token, grace)):
        me = expect_status(
            await client.get("/auth/me", headers=bearer(token)), 200
        ).json()
        assert me == user


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        pytest.param(
            "ada@example.com", "ADA@Example.COM", id="typed-in-upper-case"
        ),
        pytest.param(
            "Ada@Example.com",
            "ada@example.com",
            id="registered-in-mixed-case",
        ),
    ],
)
async def test_login_ignores_the_case_of_the_email(
    client, registered, typed
):
    """Logging in with the registered email in another case works."""
    user = await register(client, registered)
    token = await token_of(client, typed)
    assert (
        expect_status(
            await client.get("/auth/me", headers=bearer(token)), 200
        ).json()
        == user
    )


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        pytest.param(
            "bob@xn--exmple-cua.com",
            "bob@xn--exmple-cua.com",
            id="idna-domain",
        ),
        pytest.param(
            "bob@exämple.com",
            "bob@xn--exmple-cua.com",
            id="idna-typed-at-login",
        ),
        pytest.param(
            "cafe\u0301@example.com",
            "cafe\u0301@example.com",
            id="decomposed-accent",
        ),
        pytest.param(
            "caf\u00e9@example.com",
            "cafe\u0301@example.com",
            id="decomposed-at-login",
        ),
        pytest.param(
            "ann@\uff45xample.com",
            "ann@\uff45xample.com",
            id="fullwidth-letter",
        ),
        pytest.param(
            "  ada@example.com ",
            "  ada@example.com ",
            id="surrounding-spaces",
        ),
        pytest.param(
            "ada@example.com",
            " ada@example.com",
            id="space-typed-at-login",
        ),
        pytest.param(
            "Ada <ada@example.com>",
            "Ada <ada@example.com>",
            id="display-name",
        ),
        pytest.param(
            "ÄNNE@EXAMPLE.COM",
            "änne@example.com",
            id="non-ascii-upper-case",
        ),
    ],
)
async def test_the_text_that_registered_logs_in(
    client, registered, typed
):
    """Login reads the email exactly as registration does: the text that
    registered logs in.

    Registration normalises through EmailStr (Unicode form,
    internationalised domains, spaces) and lower-cases; login must run
    that same normalisation, not only .lower().
    """
    user = await register(client, registered)
    response = await login(client, typed)
    assert response.status_code == 200, (
        f"registered as {registered!r} (stored as {user['email']!r}), "
        f"but logging in as {typed!r} answered {response.status_code}: "
        "normalise the email at login with the same function "
        "registration uses"
    )
    token = response.json()["access_token"]
    assert (
        expect_status(
            await client.get("/auth/me", headers=bearer(token)), 200
        ).json()
        == user
    )


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "username",
    ["not an email", "ada@", "a" * 5000, "ada\u0000@example.com"],
)
async def test_username_that_is_not_an_email_is_401(client, username):
    """Logging in with a username that is no email address answers 401
    like a wrong password."""
    await register(client)
    expect_login_refused(await login(client, username))


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "password", ["abcd\u0000efgh", PASSWORD + "\u0000"]
)
async def test_password_with_a_nul_character_is_a_wrong_password(
    client, password
):
    """A password holding NUL answers 401, the same for a registered and
    an unknown email.

    No such password can have been registered; a 500 here (passlib raises
    on NUL) only for registered emails would tell an attacker which emails
    exist.
    """
    await register(client)
    registered = await login(client, EMAIL, password)
    unknown = await login(client, "nobody@example.com", password)
    expect_login_refused(registered)
    expect_login_refused(unknown)
    assert registered.content == unknown.content


@pytest.mark.steps("07+")
async def test_form_fields_that_are_not_utf8_are_a_wrong_password(client):
    """A login form whose password is not valid UTF-8 (or a lone
    surrogate) answers 401."""
    await register(client)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    for password in (
        b"%FF%FEabcdefgh",
        b"%ED%A0%80abcdefgh",
        b"\xffabcdefgh",
    ):
        body = b"username=ada%40example.com&password=" + password
        expect_login_refused(
            await client.post(
                "/auth/login", content=body, headers=headers
            )
        )


@pytest.mark.steps("07+")
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("wrong password", id="wrong"),
        pytest.param(PASSWORD.upper(), id="other-case"),
        pytest.param(PASSWORD[:-1], id="one-character-short"),
        pytest.param(PASSWORD + " ", id="one-character-more"),
    ],
)
async def test_wrong_password_is_401(client, password):
    """A wrong password answers 401 {"detail": "Incorrect email or
    password"}, WWW-Authenticate."""
    await register(client)
    expect_login_refused(await login(client, password=password))


@pytest.mark.steps("07+")
async def test_unknown_email_answers_exactly_as_a_wrong_password(client):
    """An unknown email gets the very answer of a wrong password: status,
    body and headers."""
    await register(client)
    wrong_password = await login(client, password="wrong password")
    unknown_email = await login(client, email="nobody@example.com")
    expect_login_refused(unknown_email)
    assert unknown_email.status_code == wrong_password.status_code
    assert unknown_email.content == wrong_password.content
    assert dict(unknown_email.headers) == dict(wrong_password.headers), (
        "the headers differ: they would tell an attacker which emails "
        "are registered"
    )


@pytest.mark.steps("07+")
async def test_password_over_72_bytes_does_not_log_in(client):
    """A 72-byte password followed by more characters does not log in
    (bcrypt would cut it)."""
    password = "€" * 24  # 72 bytes in UTF-8
    await register(client, password=password)
    expect_login_refused(await login(client, password=password + "extra"))
    expect_status(await login(client, password=password), 200)


@pytest.mark.steps("07+")
async def test_login_reads_a_form_not_json(client):
    """POST /auth/login reads form fields (username, password): a JSON
    body answers 422."""
    await register(client)
    response = await client.post(
        "/auth/login", json={"username": EMAIL, "password": PASSWORD}
    )
    expect_status(response, 422)


@pytest.mark.steps("07+")
async def test_login_without_password_is_422(client):
    """POST /auth/login without the password field answers 422."""
    expect_status(
        await client.post("/auth/login", data={"username": EMAIL}), 422
    )


@pytest.mark.steps("07+")
async def test_authorize_button_of_docs_logs_in(client):
    """/docs' Authorize button works: the OAuth2 password flow's tokenUrl
    is the login route."""
    await register(client)
    openapi = expect_status(await client.get("/openapi.json"), 200).json()
    schemes = openapi.get("components", {}).get("securitySchemes", {})
    flows = {
        name: scheme["flows"]["password"]["tokenUrl"]
        for name, scheme in schemes.items()
        if scheme.get("type") == "oauth2"
        and "password" in scheme.get("flows", {})
    }
    assert flows, (
        "no OAuth2 password flow in /openapi.json: use "
        "OAuth2PasswordBearer"
    )
    me = openapi["paths"].get("/auth/me", {}).get("get", {})
    used = [
        name
        for requirement in me.get("security", [])
        for name in requirement
    ]
    assert set(used) & set(flows), (
        "GET /auth/me must depend on the OAuth2PasswordBearer scheme"
    )
    for name in set(used) & set(flows):
        # Swagger UI resolves tokenUrl against the page it runs on, /docs.
        token_path = urlsplit(
            urljoin("http://testserver/docs", flows[name])
        ).path
        response = await client.post(
            token_path, data={"username": EMAIL, "password": PASSWORD}
        )
        assert response.status_code == 200, (
            f"tokenUrl={flows[name]!r} leads /docs to POST {token_path}, "
            f"which answered {response.status_code}: point tokenUrl at "
            "the login route"
        )
