from typing import Literal

from sqlmodel import SQLModel


class ErrorMessage(SQLModel):
    """The body of every error the routes raise with HTTPException, as
    /docs shows it."""

    detail: str


class Health(SQLModel):
    """The body of GET /health: "ok", or "unavailable" with status 503."""

    status: Literal["ok", "unavailable"]
