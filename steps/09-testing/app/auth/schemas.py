from typing import Annotated

from pydantic import AfterValidator, EmailStr, field_validator
from sqlmodel import Field, SQLModel

# bcrypt reads at most 72 bytes of a password and silently ignores the rest.
MAX_PASSWORD_BYTES = 72


class UserCreate(SQLModel):
    # EmailStr checks the address; str.lower makes Ada@Example.com and ada@example.com one user.
    email: Annotated[EmailStr, AfterValidator(str.lower)]
    password: str = Field(min_length=8)

    @field_validator("password")
    @classmethod
    def at_most_72_bytes(cls, password: str) -> str:
        # min_length counts characters, but bcrypt counts bytes: "é" is 2 in UTF-8, "€" is 3.
        if len(password.encode()) > MAX_PASSWORD_BYTES:
            raise ValueError(
                f"password must be at most {MAX_PASSWORD_BYTES} bytes in UTF-8 (bcrypt's limit; "
                "accented letters and symbols take 2 to 4 bytes each)"
            )
        return password


class UserPublic(SQLModel):
    # What the API shows of a user: never the password, never the hash.
    id: int
    email: str


class Token(SQLModel):
    access_token: str
    # The client sends the token back in the header `Authorization: Bearer <access_token>`.
    token_type: str = "bearer"
