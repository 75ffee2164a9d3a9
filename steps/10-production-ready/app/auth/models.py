from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    # Stored lower-cased; the unique index makes the database refuse a
    # second row with it.
    email: str = Field(unique=True, index=True)
    # A bcrypt hash such as "$2b$12$…", never the password itself.
    hashed_password: str
