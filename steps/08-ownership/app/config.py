from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from environment variables, or from a .env file."""

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
    access_token_expire_minutes: int = 30


settings = Settings()
