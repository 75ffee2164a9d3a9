from fastapi import APIRouter, HTTPException, status

from app.auth import service
from app.auth.schemas import UserCreate, UserPublic
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
