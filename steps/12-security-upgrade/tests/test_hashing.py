"""bcrypt runs in a worker thread, and an unknown email costs a hash
too."""

import asyncio

import pytest

from app.auth import service

pytestmark = pytest.mark.anyio


class Spy:
    """Wraps a function: records the arguments of each call, and whether
    it ran on the event loop (where nothing else can run until it returns)
    or in a worker thread."""

    def __init__(self, function):
        self.function = function
        self.calls = []

    def __call__(self, *args):
        try:
            asyncio.get_running_loop()
            on_event_loop = True
        except RuntimeError:  # a worker thread has no event loop
            on_event_loop = False
        self.calls.append((args, on_event_loop))
        return self.function(*args)


@pytest.fixture
def verify_spy(monkeypatch):
    spy = Spy(service.verify_password)
    monkeypatch.setattr(service, "verify_password", spy)
    return spy


@pytest.fixture
def hash_spy(monkeypatch):
    spy = Spy(service.hash_password)
    monkeypatch.setattr(service, "hash_password", spy)
    return spy


async def test_registration_hashes_in_a_worker_thread(client, hash_spy):
    body = {
        "email": "ada@example.com",
        "password": "correct horse battery staple",
    }
    assert (
        await client.post("/auth/register", json=body)
    ).status_code == 201
    [(_, on_event_loop)] = hash_spy.calls
    assert not on_event_loop


async def test_login_verifies_in_a_worker_thread(
    client, user, verify_spy
):
    form = {"username": user["email"], "password": user["password"]}
    assert (
        await client.post("/auth/login", data=form)
    ).status_code == 200
    [(_, on_event_loop)] = verify_spy.calls
    assert not on_event_loop


async def test_an_unknown_email_is_checked_against_the_dummy_hash(
    client, verify_spy
):
    form = {
        "username": "nobody@example.com",
        "password": "correct horse battery staple",
    }
    assert (
        await client.post("/auth/login", data=form)
    ).status_code == 401
    [((_, hashed_password), on_event_loop)] = verify_spy.calls
    assert hashed_password == service.DUMMY_HASH
    assert not on_event_loop


def test_the_dummy_hash_costs_what_a_real_one_does():
    assert (
        service.DUMMY_HASH[:7]
        == service.hash_password("any password")[:7]
    )
