from typing import Annotated, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The default SECRET_KEY below is public (it is in this file): production
# must set its own.
DEVELOPMENT_SECRET_KEY = (
    "insecure-development-only-secret-key-do-not-use-in-production"
)
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    """Configuration from environment variables, or from a .env file.

    Read and checked once, when the app starts: a bad value stops it
    there, with a message naming the variable, instead of becoming a 500
    at the first request.
    """

    # hide_input_in_errors: an error about the settings must not print
    # them (SECRET_KEY).
    model_config = SettingsConfigDict(
        env_file=".env", extra="ignore", hide_input_in_errors=True
    )

    database_url: str = "sqlite+aiosqlite:///./workshop.db"
    # Argon2's cost, for new hashes: passes over memory_cost KiB of
    # memory. The defaults are argon2-cffi's (and pwdlib's): 3 passes over
    # 64 MiB. The tests set ARGON2_MEMORY_COST=64 to stay fast. A hash
    # made with other costs is re-made at its user's next login.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    # Signs the login tokens: whoever knows it can make tokens for any
    # user. This default is for development only; anywhere real, set
    # SECRET_KEY to a long random value of your own.
    secret_key: str = DEVELOPMENT_SECRET_KEY
    # At least a minute, at most a year: with 0, tokens expire as they are
    # made.
    access_token_expire_minutes: Annotated[
        int, Field(ge=1, le=60 * 24 * 365)
    ] = 30
    # The web pages that may call the API from a browser: CORS_ORIGINS, in
    # JSON.
    cors_origins: list[str] = ["http://localhost:3000"]
    # "production" makes the checks below refuse to start with development
    # settings.
    environment: Literal["development", "production"] = "development"

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

    @model_validator(mode="after")
    def refuse_development_secret_in_production(self) -> Self:
        # Raised while the app is imported: the server stops before it
        # accepts a request.
        if self.environment == "production" and (
            self.secret_key == DEVELOPMENT_SECRET_KEY
            or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise ValueError(
                "SECRET_KEY must be set to a secret of your own, at "
                f"least {MIN_SECRET_KEY_LENGTH} characters long, when "
                "ENVIRONMENT=production (it is unset, the development "
                "default, or too short). Make one with: python -c "
                '"import secrets; print(secrets.token_urlsafe(32))"'
            )
        return self


settings = Settings()
