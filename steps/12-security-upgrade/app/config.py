from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Configuration from environment variables, or from a .env file."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./workshop.db"
    # Argon2's cost, for new hashes: passes over memory_cost KiB of memory. The defaults are
    # argon2-cffi's (and pwdlib's): 3 passes over 64 MiB. The tests set ARGON2_MEMORY_COST=64 to
    # stay fast. A hash made with other costs is re-made at its user's next login.
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    # Signs the login tokens: whoever knows it can make tokens for any user. This default is
    # for development only; anywhere real, set SECRET_KEY to a long random value of your own.
    secret_key: str = "insecure-development-only-secret-key-do-not-use-in-production"
    access_token_expire_minutes: int = 30


settings = Settings()
