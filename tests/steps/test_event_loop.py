"""Step 10 on: bcrypt runs off the event loop, and an unknown email costs
the same hashing.

These tests watch the `bcrypt` library the app hashes with (SPEC: passlib
and bcrypt, up to step 11): each call to bcrypt.hashpw or bcrypt.checkpw
is recorded, and may be held until the test lets it go. Events, not
timings: no test here measures how long anything takes.
"""

import asyncio
import threading

import anyio
import bcrypt
import pytest

from .helpers import expect_status

EMAIL, PASSWORD = "ada@example.com", "correct horse battery"
# Only a broken app waits this long: then the test fails
WAIT_SECONDS = 10


class BcryptSpy:
    """Stands in for bcrypt.hashpw and bcrypt.checkpw, recording each
    call's cost."""

    def __init__(self, hold: bool = False) -> None:
        # B"$2b$04$" per call: the algorithm and its cost
        self.costs: list[bytes] = []
        self.on_event_loop = False
        self.hold = hold
        self.started = threading.Event()  # a hash has begun
        # The test lets the held hash finish
        self.release = threading.Event()

    def wrap(self, function):
        def spy(password: bytes, salt_or_hash: bytes, *args):
            self.costs.append(salt_or_hash[:7])
            try:
                asyncio.get_running_loop()
                # Nothing else can run while it hashes
                self.on_event_loop = True
            except RuntimeError:  # a worker thread: no event loop here
                pass
            self.started.set()
            if self.hold and not self.on_event_loop:
                self.release.wait(WAIT_SECONDS)
            return function(password, salt_or_hash, *args)

        return spy


@pytest.fixture
def spy_on_bcrypt(monkeypatch):
    """`spy_on_bcrypt(hold=True)`: watch every bcrypt call from now on
    (see BcryptSpy)."""
    spies = []
    originals = {
        name: getattr(bcrypt, name) for name in ("hashpw", "checkpw")
    }

    def install(hold=False):
        spy = BcryptSpy(hold)  # replaces the one before, if any
        for name, function in originals.items():
            monkeypatch.setattr(bcrypt, name, spy.wrap(function))
        spies.append(spy)
        return spy

    yield install
    for spy in spies:
        # A failing test must not leave a worker thread waiting
        spy.release.set()


async def register(client, email=EMAIL):
    body = {"email": email, "password": PASSWORD}
    expect_status(await client.post("/auth/register", json=body), 201)


async def login(client, email=EMAIL, password=PASSWORD):
    return await client.post(
        "/auth/login", data={"username": email, "password": password}
    )


async def health_while_hashing(client, spy, request):
    """Send `request`; while its hash is held in bcrypt, GET /health must
    be answered."""
    task = asyncio.create_task(request)
    try:
        hashing = await anyio.to_thread.run_sync(
            spy.started.wait, WAIT_SECONDS
        )
        assert hashing, (
            "no call to bcrypt was seen: does the app hash with bcrypt?"
        )
        assert not spy.on_event_loop, (
            "bcrypt ran on the event loop: while it hashes, no other "
            "request can be served. Run it in a worker thread: await "
            "run_in_threadpool(verify_password, ...)"
        )
        # The hash is still held: the loop is free
        health = await client.get("/health")
        spy.release.set()
        expect_status(health, 200)
        return await task
    finally:
        # Whatever failed above, the request ends within the test (see
        # helpers.at_once)
        spy.release.set()
        await asyncio.wait([task], timeout=WAIT_SECONDS)
        task.cancel()


@pytest.mark.steps("10-11")
async def test_health_answers_while_a_login_hashes(client, spy_on_bcrypt):
    """While a login's password is being checked, GET /health is
    answered."""
    await register(client)
    spy = spy_on_bcrypt(hold=True)
    expect_status(
        await health_while_hashing(client, spy, login(client)), 200
    )


@pytest.mark.steps("10-11")
async def test_health_answers_while_a_registration_hashes(
    client, spy_on_bcrypt
):
    """While a registration's password is being hashed, GET /health is
    answered."""
    spy = spy_on_bcrypt(hold=True)
    body = {"email": EMAIL, "password": PASSWORD}
    request = client.post("/auth/register", json=body)
    expect_status(await health_while_hashing(client, spy, request), 201)


@pytest.mark.steps("10-11")
async def test_an_unknown_email_costs_what_a_wrong_password_costs(
    client, spy_on_bcrypt
):
    """Login for an unknown email runs bcrypt as a wrong password does:
    same calls, same cost.

    Otherwise the time of a 401 tells an attacker which emails are
    registered.
    """
    await register(client)
    wrong_password = spy_on_bcrypt()
    expect_status(await login(client, password="not the password"), 401)
    unknown_email = spy_on_bcrypt()
    expect_status(await login(client, email="nobody@example.com"), 401)
    assert wrong_password.costs, "a wrong password made no call to bcrypt"
    assert unknown_email.costs == wrong_password.costs, (
        "bcrypt calls (algorithm and cost) for a wrong password: "
        f"{wrong_password.costs}, for an unknown email: "
        f"{unknown_email.costs}. Check the password against a dummy "
        "hash, made once at start with the same cost, when no user has "
        "the email."
    )
