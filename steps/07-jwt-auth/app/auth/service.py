"""What the auth API does, without HTTP: every function takes the session
it works in."""

from datetime import UTC, datetime, timedelta

from jose import jwt
from passlib.context import CryptContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.models import User
from app.auth.schemas import UserCreate, bcrypt_can_hash, normalize_email
from app.config import settings
from app.database import MAX_INT

pwd_context = CryptContext(
    schemes=["bcrypt"], bcrypt__rounds=settings.bcrypt_rounds
)

# Tokens are signed with HS256, and decoding accepts HS256 only: never let
# a token's own header choose how it is checked ("alg": "none" would mean
# "don't check").
ALGORITHM = "HS256"


class EmailAlreadyRegisteredError(Exception):
    pass


def hash_password(password: str) -> str:
    return pwd_context.hash(password)


def verify_password(password: str, hashed_password: str) -> bool:
    try:
        # A password registration refuses (NUL, over 72 bytes: bcrypt
        # would compare only the first 72) was never registered: it is a
        # wrong password, not an error.
        return pwd_context.verify(
            bcrypt_can_hash(password), hashed_password
        )
    except ValueError:
        return False


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


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def authenticate(
    session: AsyncSession, email: str, password: str
) -> User | None:
    """The user with this email and password, or None: the caller can't
    tell which was wrong."""
    try:
        # The email exactly as registration stored it
        email = normalize_email(email)
    except ValueError:  # not an email address: nobody registered with it
        return None
    result = await session.exec(select(User).where(User.email == email))
    user = result.first()
    if user is None or not verify_password(
        password, user.hashed_password
    ):
        return None
    return user


def create_access_token(user: User) -> str:
    now = datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_expire_minutes)
    claims = {
        "sub": str(user.id),  # the subject: whom the token is about
        "iat": now,  # issued at
        "exp": now + lifetime,  # expires
    }
    return jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM)


def user_id_from_token(token: str) -> int | None:
    """The user id a valid token carries; None for a bad, expired or
    forged token."""
    try:
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=[ALGORITHM],
            options={"require_exp": True, "require_sub": True},
        )
        user_id = int(claims["sub"])
    except Exception:
        # The token is whatever the client sent, and decoding it raises
        # more than JWTError: python-jose lets TypeError ("exp": null),
        # OverflowError ("exp": 1e400) and RecursionError (JSON nested too
        # deep) through. Whatever it raises, the token is bad.
        return None
    # Only an id written plainly ("42", not " 42" or "042") that a
    # database id can be.
    if str(user_id) != claims["sub"] or not 1 <= user_id <= MAX_INT:
        return None
    return user_id
