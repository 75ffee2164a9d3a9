from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.dependencies import UNAUTHORIZED, CurrentUser
from app.auth.schemas import Token, UserCreate, UserPublic
from app.database import SessionDep
from app.schemas import ErrorMessage

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses={
        status.HTTP_409_CONFLICT: {
            "model": ErrorMessage,
            "description": "Email already registered",
        }
    },
)
async def register(
    user_in: UserCreate, session: SessionDep
) -> UserPublic:
    try:
        return await service.create_user(session, user_in)
    except service.EmailAlreadyRegisteredError:
        raise HTTPException(
            status_code=status.HTTP_409_CONFLICT,
            detail="Email already registered",
        ) from None


@router.post(
    "/login",
    responses={
        status.HTTP_401_UNAUTHORIZED: {
            "model": ErrorMessage,
            "description": "Incorrect email or password",
        }
    },
)
async def login(
    form_data: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
) -> Token:
    # OAuth2's password flow calls the field `username`: here it holds the
    # email.
    user = await service.authenticate(
        session, form_data.username, form_data.password
    )
    if user is None:
        # One answer for an unknown email and a wrong password: don't say
        # which it was.
        raise HTTPException(
            status_code=status.HTTP_401_UNAUTHORIZED,
            detail="Incorrect email or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Token(access_token=service.create_access_token(user))


@router.get("/me", responses=UNAUTHORIZED)
async def read_me(user: CurrentUser) -> UserPublic:
    return user
