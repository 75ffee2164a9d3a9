from sqlmodel import SQLModel


class ErrorMessage(SQLModel):
    """The body of every error the routes raise with HTTPException, as
    /docs shows it."""

    detail: str
