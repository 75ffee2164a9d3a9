"""What the items API does, without HTTP: every function takes the session
it works in."""

from collections.abc import Sequence

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.models import User
from app.items.models import Item
from app.items.schemas import ItemCreate, ItemUpdate


class ItemDeletedError(Exception):
    """The item was deleted by another request after this one read it."""


async def create_item(
    session: AsyncSession, item_in: ItemCreate, owner: User
) -> Item:
    # ItemCreate has no owner_id: whatever the body says, the owner is the
    # caller.
    item = Item.model_validate(item_in, update={"owner_id": owner.id})
    session.add(item)
    await session.commit()
    return item


async def list_items(
    session: AsyncSession, skip: int, limit: int
) -> Sequence[Item]:
    result = await session.exec(
        select(Item).order_by(Item.id).offset(skip).limit(limit)
    )
    return result.all()


async def get_item(session: AsyncSession, item_id: int) -> Item | None:
    return await session.get(Item, item_id)


async def update_item(
    session: AsyncSession, item: Item, item_in: ItemUpdate
) -> Item:
    # exclude_unset: only the fields the client sent, so the others keep
    # their values.
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True))
    session.add(item)
    try:
        await session.commit()
    except StaleDataError:
        # The UPDATE matched no row: another request deleted the item
        # since we read it.
        await session.rollback()
        raise ItemDeletedError from None
    return item


async def delete_item(session: AsyncSession, item: Item) -> None:
    # One DELETE statement, and its rowcount says whether it found the
    # row: another request may have deleted it since we read it
    # (session.delete() would only warn then).
    result = await session.exec(delete(Item).where(Item.id == item.id))
    await session.commit()
    if result.rowcount == 0:
        raise ItemDeletedError
