from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased; the unique index makes the database refuse a
    # second row with it.
    email: str = Field(unique=True, index=True)
    # An Argon2 hash "$argon2id$…" (or an old bcrypt one, "$2b$12$…" until
    # its user logs in), never the password itself.
    hashed_password: str
