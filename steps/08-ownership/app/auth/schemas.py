from typing import Annotated

from pydantic import AfterValidator, EmailStr, TypeAdapter
from sqlmodel import Field, SQLModel

# bcrypt reads at most 72 bytes of a password and silently ignores the
# rest.
MAX_PASSWORD_BYTES = 72

# EmailStr checks the address and normalises it (Unicode form,
# internationalised domains, spaces around it); str.lower makes
# Ada@Example.com and ada@example.com one user.
Email = Annotated[EmailStr, AfterValidator(str.lower)]


def normalize_email(text: str) -> str:
    """The email as registration stores it; ValueError if the text is not
    an email address."""
    return TypeAdapter(Email).validate_python(text)


def bcrypt_can_hash(password: str) -> str:
    """The password, if bcrypt can hash all of it; ValueError saying why
    not otherwise."""
    if "\0" in password:
        # bcrypt reads a password as a C string: NUL would end it
        raise ValueError(
            "password must not contain the NUL character (U+0000)"
        )
    # min_length counts characters, but bcrypt counts bytes: "é" is 2 in
    # UTF-8, "€" is 3.
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(
            f"password must be at most {MAX_PASSWORD_BYTES} bytes in "
            "UTF-8 (bcrypt's limit; accented letters and symbols take 2 "
            "to 4 bytes each)"
        )
    return password


class UserCreate(SQLModel):
    email: Email
    password: Annotated[
        str, Field(min_length=8), AfterValidator(bcrypt_can_hash)
    ]


class UserPublic(SQLModel):
    # What the API shows of a user: never the password, never the hash.
    id: int
    email: str


class Token(SQLModel):
    access_token: str
    # The client sends the token back in the header
    # `Authorization: Bearer <access_token>`.
    token_type: str = "bearer"
