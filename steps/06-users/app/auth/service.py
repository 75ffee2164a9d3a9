"""What the auth API does, without HTTP: every function takes the session
it works in."""

from passlib.context import CryptContext
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.models import User
from app.auth.schemas import UserCreate
from app.config import settings

pwd_context = CryptContext(
    schemes=["bcrypt"], bcrypt__rounds=settings.bcrypt_rounds
)


class EmailAlreadyRegisteredError(Exception):
    pass


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


async def create_user(session: AsyncSession, user_in: UserCreate) -> User:
    user = User(
        email=user_in.email,
        hashed_password=hash_password(user_in.password),
    )
    session.add(user)
    try:
        await session.commit()
    except IntegrityError:
        # The unique index decides, even when two registrations of one
        # email race.
        await session.rollback()
        raise EmailAlreadyRegisteredError(user_in.email) from None
    return user
