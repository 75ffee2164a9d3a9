from typing import Literal, Self

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The default SECRET_KEY below is public (it is in this file): production must set its own.
DEVELOPMENT_SECRET_KEY = "insecure-development-only-secret-key-do-not-use-in-production"
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    """Configuration from environment variables, or from a .env file."""

    # hide_input_in_errors: an error about the settings must not print them (SECRET_KEY).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", hide_input_in_errors=True)

    database_url: str = "sqlite+aiosqlite:///./workshop.db"
    # bcrypt's cost: each round more doubles the time of one hash (and of one login).
    # 12 or more in production; the tests set BCRYPT_ROUNDS=4 to stay fast.
    bcrypt_rounds: int = 12
    # Signs the login tokens: whoever knows it can make tokens for any user. This default is
    # for development only; anywhere real, set SECRET_KEY to a long random value of your own.
    secret_key: str = DEVELOPMENT_SECRET_KEY
    access_token_expire_minutes: int = 30
    # "production" makes the checks below refuse to start with development settings.
    environment: Literal["development", "production"] = "development"

    @model_validator(mode="after")
    def refuse_development_secret_in_production(self) -> Self:
        # Raised while the app is imported: the server stops before it accepts a request.
        if self.environment == "production" and (
            self.secret_key == DEVELOPMENT_SECRET_KEY
            or len(self.secret_key) < MIN_SECRET_KEY_LENGTH
        ):
            raise ValueError(
                "SECRET_KEY must be set to a secret of your own, at least "
                f"{MIN_SECRET_KEY_LENGTH} characters long, when ENVIRONMENT=production "
                "(it is unset, the development default, or too short). Make one with: "
                'python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        return self


settings = Settings()
