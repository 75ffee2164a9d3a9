from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from environment variables, or from a .env file.

    Read and checked once, when the app starts: a bad value stops it
    there, with a message naming the variable, instead of becoming a 500
    at the first request.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./workshop.db"
    # bcrypt's cost: each round more doubles the time of one hash (and of
    # one login). 12 or more in production; the tests set BCRYPT_ROUNDS=4
    # to stay fast.
    bcrypt_rounds: int = 12
    # Signs the login tokens: whoever knows it can make tokens for any
    # user. This default is for development only; anywhere real, set
    # SECRET_KEY to a long random value of your own.
    secret_key: str = (
        "insecure-development-only-secret-key-do-not-use-in-production"
    )
    # At least a minute, at most a year: with 0, tokens expire as they are
    # made.
    access_token_expire_minutes: Annotated[
        int, Field(ge=1, le=60 * 24 * 365)
    ] = 30
    # The web pages that may call the API from a browser: CORS_ORIGINS, in
    # JSON.
    cors_origins: list[str] = ["http://localhost:3000"]

    @field_validator("cors_origins")
    @classmethod
    def check_origins(cls, origins: list[str]) -> list[str]:
        for origin in origins:
            if origin == "*":
                raise ValueError(
                    '"*" is refused: the app allows credentials, and '
                    '"*" with credentials would let any website call '
                    "the API as your logged-in users. List the origins "
                    'instead: ["https://app.example.com"]'
                )
            scheme, _, host = origin.partition("://")
            if scheme not in {"http", "https"} or not host or "/" in host:
                raise ValueError(
                    f"{origin!r} is not an origin: write "
                    "scheme://host[:port], with no path and no trailing "
                    "slash, as the browser sends it: "
                    '"http://localhost:3000"'
                )
        return origins


settings = Settings()
