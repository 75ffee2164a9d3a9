"""What the items API does, without HTTP: every function takes the session it works in."""

from collections.abc import Sequence

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.auth.models import User
from app.items.models import Item
from app.items.schemas import ItemCreate, ItemUpdate


async def create_item(session: AsyncSession, item_in: ItemCreate, owner: User) -> Item:
    # ItemCreate has no owner_id: whatever the body says, the owner is the caller.
    item = Item.model_validate(item_in, update={"owner_id": owner.id})
    session.add(item)
    await session.commit()
    await session.refresh(item)
    return item


async def list_items(session: AsyncSession, skip: int, limit: int) -> Sequence[Item]:
    result = await session.exec(select(Item).order_by(Item.id).offset(skip).limit(limit))
    return result.all()


async def get_item(session: AsyncSession, item_id: int) -> Item | None:
    return await session.get(Item, item_id)


async def update_item(session: AsyncSession, item: Item, item_in: ItemUpdate) -> Item:
    # exclude_unset: only the fields the client sent, so the others keep their values.
    item.sqlmodel_update(item_in.model_dump(exclude_unset=True))
    session.add(item)
    await session.commit()
    await session.refresh(item)
    return item


async def delete_item(session: AsyncSession, item: Item) -> None:
    await session.delete(item)
    await session.commit()
