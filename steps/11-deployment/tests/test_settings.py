"""Settings are checked when the app starts: a bad value stops it, naming
the variable."""

import pytest
from pydantic import ValidationError

from app.config import Settings


def test_any_origin_is_refused_and_the_message_says_why():
    with pytest.raises(ValidationError, match="credentials"):
        Settings(cors_origins=["*"])


@pytest.mark.parametrize(
    "origin",
    ["http://localhost:3000/", "localhost:3000", "http://x.example/app"],
)
def test_an_origin_is_scheme_host_and_port_only(origin):
    # The browser sends "http://localhost:3000": with a slash or a path,
    # it never matches.
    with pytest.raises(ValidationError, match="cors_origins"):
        Settings(cors_origins=[origin])


def test_cors_origins_is_a_json_list(monkeypatch):
    monkeypatch.setenv(
        "CORS_ORIGINS", '["https://a.example", "https://b.example:8443"]'
    )
    assert Settings().cors_origins == [
        "https://a.example",
        "https://b.example:8443",
    ]


@pytest.mark.parametrize("minutes", [0, -1, 60 * 24 * 365 + 1])
def test_a_bad_token_lifetime_is_refused(minutes):
    with pytest.raises(
        ValidationError, match="access_token_expire_minutes"
    ):
        Settings(access_token_expire_minutes=minutes)
