from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status

from app.auth.dependencies import UNAUTHORIZED, CurrentUser
from app.database import MAX_INT, SessionDep
from app.items import service
from app.items.models import Item
from app.items.schemas import ItemCreate, ItemPublic, ItemUpdate
from app.schemas import ErrorMessage

router = APIRouter(prefix="/items", tags=["items"])

# The answers a route gives besides its own, for /docs and /openapi.json:
# each status with the body it comes with. FastAPI can't see the
# HTTPExceptions a route may raise.
NOT_FOUND = {
    status.HTTP_404_NOT_FOUND: {
        "model": ErrorMessage,
        "description": "Item not found",
    }
}
FORBIDDEN = {
    status.HTTP_403_FORBIDDEN: {
        "model": ErrorMessage,
        "description": "Not the item's owner",
    }
}


def item_not_found() -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_404_NOT_FOUND, detail="Item not found"
    )


async def get_item_or_404(
    item_id: Annotated[int, Path(ge=1, le=MAX_INT)], session: SessionDep
) -> Item:
    item = await service.get_item(session, item_id)
    if item is None:
        raise item_not_found()
    return item


ItemDep = Annotated[Item, Depends(get_item_or_404)]


async def get_own_item(user: CurrentUser, item: ItemDep) -> Item:
    # FastAPI runs the dependencies in this order: who are you (401), does
    # the item exist (404), and only then, is it yours (403).
    if item.owner_id != user.id:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN,
            detail="Not enough permissions",
        )
    return item


OwnItemDep = Annotated[Item, Depends(get_own_item)]


@router.post(
    "", status_code=status.HTTP_201_CREATED, responses=UNAUTHORIZED
)
async def create_item(
    item_in: ItemCreate, session: SessionDep, user: CurrentUser
) -> ItemPublic:
    return await service.create_item(session, item_in, owner=user)


@router.get("")
async def list_items(
    session: SessionDep,
    skip: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 100,
) -> list[ItemPublic]:
    return await service.list_items(session, skip, limit)


@router.get("/{item_id}", responses=NOT_FOUND)
async def read_item(item: ItemDep) -> ItemPublic:
    return item


@router.patch(
    "/{item_id}", responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND
)
async def update_item(
    item: OwnItemDep, item_in: ItemUpdate, session: SessionDep
) -> ItemPublic:
    try:
        return await service.update_item(session, item, item_in)
    except service.ItemDeletedError:
        raise item_not_found() from None


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=UNAUTHORIZED | FORBIDDEN | NOT_FOUND,
)
async def delete_item(item: OwnItemDep, session: SessionDep) -> None:
    try:
        await service.delete_item(session, item)
    except service.ItemDeletedError:
        raise item_not_found() from None
