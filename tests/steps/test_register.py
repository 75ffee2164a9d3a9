"""Step 06 on: users register with an email and a password, stored as a
bcrypt hash (an Argon2 hash from step 12)."""

import re

import pytest

from .helpers import at_once, expect_status

PASSWORD = "correct horse battery"
# A bcrypt hash: $2b$, the cost as two digits, $, 22 characters of salt
# and 31 of checksum.
BCRYPT_HASH = re.compile(rb"\$2[abxy]?\$(\d\d)\$[./A-Za-z0-9]{53}")
# An Argon2id hash (step 12): its version, memory (KiB), passes and lanes,
# then salt and hash.
ARGON2_HASH = re.compile(
    rb"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)"
    rb"\$[+/A-Za-z0-9]+\$[+/A-Za-z0-9]+"
)


async def register(client, email="ada@example.com", password=PASSWORD):
    return await client.post(
        "/auth/register", json={"email": email, "password": password}
    )


def password_errors(response):
    """The messages of the 422's errors that point at body.password."""
    return [
        e["msg"]
        for e in response.json()["detail"]
        if e["loc"] == ["body", "password"]
    ]


@pytest.mark.steps("06+")
async def test_register_answers_201_with_id_and_email_only(client):
    """POST /auth/register answers 201 with exactly {"id", "email"}: no
    password, no hash."""
    user = expect_status(await register(client), 201).json()
    assert set(user) == {"id", "email"}, (
        f"the answer must hold id and email only, got {user}"
    )
    assert isinstance(user["id"], int), "id is an integer"
    assert user["email"] == "ada@example.com"
    assert PASSWORD not in str(user), (
        "the answer must never hold the password"
    )


@pytest.mark.steps("06+")
async def test_each_user_gets_its_own_id(client):
    """Two registered users get two different ids."""
    first = expect_status(
        await register(client, "ada@example.com"), 201
    ).json()
    second = expect_status(
        await register(client, "grace@example.com"), 201
    ).json()
    assert first["id"] != second["id"]


@pytest.mark.steps("06+")
async def test_email_is_stored_lower_cased(client):
    """POST /auth/register with Ada.Lovelace@Example.COM stores
    ada.lovelace@example.com."""
    user = expect_status(
        await register(client, "Ada.Lovelace@Example.COM"), 201
    ).json()
    assert user["email"] == "ada.lovelace@example.com", (
        "lower-case the whole email address"
    )


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "again",
    [
        pytest.param("ada@example.com", id="same-case"),
        pytest.param("ADA@EXAMPLE.COM", id="upper-case"),
        pytest.param("Ada@example.com", id="mixed-case"),
    ],
)
async def test_duplicate_email_is_409(client, again):
    """Registering an email that is already registered, in any case,
    answers 409."""
    expect_status(await register(client, "ada@example.com"), 201)
    response = expect_status(
        await register(client, again, "another password"), 409
    )
    assert response.json() == {"detail": "Email already registered"}


@pytest.mark.steps("06+")
async def test_concurrent_registrations_of_one_email_make_one_user(
    client,
):
    """Ten registrations of one email at once give one 201 and nine 409s,
    never a 500.

    A SELECT before the INSERT can't decide this alone: the unique index
    must, and its IntegrityError must become the 409.
    """
    emails = [
        f"{'ADA' if n % 2 else 'ada'}@example.com" for n in range(10)
    ]
    responses = await at_once(
        *(register(client, email) for email in emails)
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 9, (
        f"expected one 201 and nine 409s, got {statuses}: let a unique "
        "index on email decide, and turn its IntegrityError into the "
        "409 (after a rollback)"
    )


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "email",
    [
        pytest.param("not-an-email", id="no-at-sign"),
        pytest.param("ada@", id="no-domain"),
        pytest.param("@example.com", id="no-local-part"),
        pytest.param("ada lovelace@example.com", id="space"),
        pytest.param("", id="empty"),
    ],
)
async def test_invalid_email_is_422(client, email):
    """POST /auth/register with something that is not an email address
    answers 422."""
    response = expect_status(await register(client, email), 422)
    locations = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "email"] in locations, (
        f"the 422 should point at body.email, got {locations}"
    )


@pytest.mark.steps("06+")
@pytest.mark.parametrize("missing", ["email", "password"])
async def test_missing_field_is_422(client, missing):
    """POST /auth/register without email or without password answers
    422."""
    body = {"email": "ada@example.com", "password": PASSWORD}
    del body[missing]
    expect_status(await client.post("/auth/register", json=body), 422)


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("abcdefgh", id="8-characters"),
        pytest.param("a" * 72, id="72-ascii-bytes"),
        pytest.param("é" * 36, id="36-two-byte-characters-72-bytes"),
        pytest.param("€" * 24, id="24-three-byte-characters-72-bytes"),
        pytest.param("é€" * 14 + "ab", id="mixed-72-bytes"),
        pytest.param("🔑" * 18, id="18-four-byte-characters-72-bytes"),
    ],
)
async def test_password_of_8_characters_to_72_bytes_is_accepted(
    client, password
):
    """A password of at least 8 characters and at most 72 bytes in UTF-8
    is accepted."""
    assert len(password.encode()) <= 72
    expect_status(await register(client, password=password), 201)


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("abcdefg", id="7-characters"),
        pytest.param("é" * 7, id="7-characters-14-bytes"),
        pytest.param("", id="empty"),
    ],
)
async def test_password_under_8_characters_is_422(client, password):
    """A password of fewer than 8 characters answers 422 (characters, not
    bytes)."""
    response = expect_status(
        await register(client, password=password), 422
    )
    assert password_errors(response), (
        "the 422 should point at body.password"
    )


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("a" * 73, id="73-ascii-bytes"),
        pytest.param("é" * 36 + "a", id="37-characters-73-bytes"),
        pytest.param("€" * 25, id="25-characters-75-bytes"),
        pytest.param("é€" * 25, id="50-characters-125-bytes"),
        pytest.param("🔑" * 19, id="19-characters-76-bytes"),
    ],
)
async def test_password_over_72_bytes_is_422_with_a_clear_message(
    client, password
):
    """A password over 72 bytes in UTF-8 answers 422 saying so, even if
    under 72 characters."""
    assert len(password.encode()) > 72
    response = expect_status(
        await register(client, password=password), 422
    )
    messages = password_errors(response)
    assert messages, "the 422 should point at body.password"
    assert any("72" in m and "byte" in m.lower() for m in messages), (
        f"say that the limit is 72 bytes (bcrypt's), got {messages}: "
        "count len(password.encode()), not len(password), which counts "
        "characters"
    )


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "password",
    [
        pytest.param("abcd\u0000efgh", id="in-the-middle"),
        pytest.param("\u0000" * 8, id="only-nul"),
        pytest.param(PASSWORD + "\u0000", id="at-the-end"),
    ],
)
async def test_password_with_a_nul_character_is_422_with_a_clear_message(
    client, password
):
    """A password holding the NUL character (U+0000) answers 422 saying
    so; nothing is stored.

    bcrypt refuses NUL (C strings end there): passlib raises on it, a 500
    unless refused first.
    """
    response = expect_status(
        await register(client, password=password), 422
    )
    messages = password_errors(response)
    assert any("nul" in m.lower() for m in messages), (
        "say that the password may not hold the NUL character, got "
        f"{messages}"
    )
    expect_status(await register(client), 201)


@pytest.mark.steps("06+")
async def test_rejected_registration_stores_nothing(client):
    """After a 422 for a too-long password, the same email can still
    register."""
    expect_status(await register(client, password="€" * 25), 422)
    expect_status(await register(client), 201)


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    ("first", "again"),
    [
        pytest.param(
            "bob@exämple.com", "bob@xn--exmple-cua.com", id="idna-domain"
        ),
        pytest.param(
            "caf\u00e9@example.com",
            "cafe\u0301@example.com",
            id="decomposed-accent",
        ),
        pytest.param(
            "ann@example.com",
            "ann@\uff45xample.com",
            id="fullwidth-letter",
        ),
        pytest.param(
            "ada@example.com",
            "  ada@example.com  ",
            id="surrounding-spaces",
        ),
    ],
)
async def test_two_spellings_of_one_email_are_one_user(
    client, first, again
):
    """Two spellings of one address (IDNA, Unicode forms, spaces) are one
    user: 409 the 2nd time."""
    expect_status(await register(client, first), 201)
    expect_status(await register(client, again, "another password"), 409)


@pytest.mark.steps("06+")
async def test_openapi_response_of_register_has_no_password(client):
    """The OpenAPI schema of POST /auth/register's 201 answer has id and
    email, no password."""
    openapi = expect_status(await client.get("/openapi.json"), 200).json()
    operation = openapi["paths"].get("/auth/register", {}).get("post")
    assert operation, "/openapi.json has no POST /auth/register"
    response = operation["responses"].get("201")
    assert response, (
        "POST /auth/register documents no 201, only "
        f"{list(operation['responses'])}"
    )
    schema = response["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = openapi["components"]["schemas"][
            schema["$ref"].rsplit("/", 1)[-1]
        ]
    properties = set(schema.get("properties", {}))
    assert {"id", "email"} <= properties, (
        f"the 201's schema should hold id and email: {schema}"
    )
    leaks = [
        p
        for p in properties
        if "password" in p.lower() or "hash" in p.lower()
    ]
    assert not leaks, (
        f"the 201's schema shows {leaks}: declare a response model "
        "without them"
    )


@pytest.mark.steps("06-11")
async def test_password_is_stored_as_a_bcrypt_hash(serve, app_under_test):
    """The database holds a bcrypt hash of the password, never the
    password itself."""
    password = "plain-text-never-stored"
    async with serve() as client:
        expect_status(await register(client, password=password), 201)
    stored = app_under_test.stored_bytes()
    assert password.encode() not in stored, (
        "the password is in the database as plain text"
    )
    assert BCRYPT_HASH.search(stored), (
        "no bcrypt hash ($2b$…) in the database: hash with passlib"
    )


@pytest.mark.steps("06-11")
async def test_default_hashing_cost_is_at_least_12(serve, app_under_test):
    """Without BCRYPT_ROUNDS, passwords are hashed with a bcrypt cost of
    12 or more."""
    async with serve(BCRYPT_ROUNDS=None) as client:
        expect_status(await register(client), 201)
    found = BCRYPT_HASH.search(app_under_test.stored_bytes())
    assert found, (
        "no bcrypt hash ($2b$…) in the database: hash with passlib"
    )
    cost = int(found[1])
    assert cost >= 12, (
        f"the default bcrypt cost is {cost}: use 12 rounds or more in "
        "production"
    )


@pytest.mark.steps("12+")
async def test_password_is_stored_as_an_argon2_hash(
    serve, app_under_test
):
    """The database holds an Argon2id hash ($argon2id$…) of the password,
    not a bcrypt one."""
    password = "plain-text-never-stored"
    async with serve() as client:
        expect_status(await register(client, password=password), 201)
    stored = app_under_test.stored_bytes()
    assert password.encode() not in stored, (
        "the password is in the database as plain text"
    )
    assert not BCRYPT_HASH.search(stored), (
        "a new password was hashed with bcrypt, not Argon2"
    )
    assert ARGON2_HASH.search(stored), (
        "no Argon2id hash ($argon2id$…) in the database"
    )


@pytest.mark.steps("12+")
async def test_default_argon2_cost_is_at_least_owasps(
    serve, app_under_test
):
    """Without ARGON2_MEMORY_COST, new hashes use 19 MiB and 2 passes or
    more (OWASP's minimum)."""
    async with serve(ARGON2_MEMORY_COST=None) as client:
        expect_status(await register(client), 201)
    found = ARGON2_HASH.search(app_under_test.stored_bytes())
    assert found, "no Argon2id hash ($argon2id$…) in the database"
    memory, passes = int(found[1]), int(found[2])
    assert memory >= 19456 and passes >= 2, (
        f"the default Argon2 cost is m={memory} KiB, t={passes}: use at "
        "least m=19456, t=2"
    )


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "path",
    ["__init__.py", "router.py", "models.py", "schemas.py", "service.py"],
)
def test_auth_domain_layout(app_under_test, path):
    """Users live in their own domain package:
    app/auth/{router,models,schemas,service}.py."""
    assert (app_under_test.app_dir / "app/auth" / path).is_file(), (
        f"app/auth/{path} is missing"
    )


@pytest.mark.steps("06+")
def test_auth_router_is_thin(app_under_test):
    """app/auth/router.py holds no queries and no hashing: they live in
    app/auth/service.py."""
    router = app_under_test.app_dir / "app/auth/router.py"
    assert router.is_file(), "app/auth/router.py is missing"
    source = router.read_text(encoding="utf-8")
    for call in (
        "select(",
        ".exec(",
        ".execute(",
        ".hash(",
        "CryptContext(",
    ):
        assert call not in source, (
            f"router.py calls {call}…): move it into service.py"
        )


@pytest.mark.steps("06+")
@pytest.mark.parametrize(
    "body",
    [
        pytest.param(
            '{"email": "a\\ud800@example.com", "password": "12345678"}',
            id="email",
        ),
        pytest.param(
            '{"email": "ada@example.com", "password": "1234567\\ud800"}',
            id="password",
        ),
    ],
)
async def test_registration_with_a_lone_surrogate_is_422(client, body):
    """POST /auth/register with a lone surrogate in the email or password
    answers 422."""
    headers = {"Content-Type": "application/json"}
    response = await client.post(
        "/auth/register", content=body.encode(), headers=headers
    )
    expect_status(response, 422)
