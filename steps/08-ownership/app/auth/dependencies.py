from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import OAuth2PasswordBearer

from app.auth import service
from app.auth.models import User
from app.database import SessionDep
from app.schemas import ErrorMessage

# Reads the token from `Authorization: Bearer <token>` (401 if there is
# none). tokenUrl is where the Authorize button of /docs logs in: relative
# to /docs, so "auth/login" is /auth/login.
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="auth/login")

# For the `responses=` of every route that needs a token: what /docs shows
# for a bad one.
UNAUTHORIZED = {
    status.HTTP_401_UNAUTHORIZED: {
        "model": ErrorMessage,
        "description": "No token, or a bad or expired one",
    }
}


async def get_current_user(
    token: Annotated[str, Depends(oauth2_scheme)], session: SessionDep
) -> User:
    credentials_error = HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail="Could not validate credentials",
        headers={"WWW-Authenticate": "Bearer"},
    )
    user_id = service.user_id_from_token(token)
    if user_id is None:
        raise credentials_error
    user = await service.get_user(session, user_id)
    if user is None:  # a valid token of a user that no longer exists
        raise credentials_error
    return user


CurrentUser = Annotated[User, Depends(get_current_user)]
