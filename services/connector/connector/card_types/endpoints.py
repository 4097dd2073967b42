"""Card types: the full list, and each account's accepted set (connector.md §7.2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from connector.accounts.dependencies import JsonObject
from connector.accounts.schemas import card_type_view
from connector.card_types import service
from connector.postgres import SessionDep

router = APIRouter(tags=["card types"])


@router.get("/v1/api/card-types")
async def list_card_types(session: SessionDep) -> dict[str, Any]:
    return {"card_types": [card_type_view(c) for c in await service.all_card_types(session)]}


@router.get("/v1/frontend/accounts/{account_id}/card-types")
async def accepted_card_types(account_id: str, session: SessionDep) -> dict[str, Any]:
    return {"card_types": [card_type_view(c) for c in await service.accepted(session, account_id)]}


@router.post("/v1/frontend/accounts/{account_id}/card-types")
async def replace_accepted_card_types(
    account_id: str, body: JsonObject, session: SessionDep
) -> dict[str, Any]:
    await service.replace_accepted(session, account_id, body)
    return {}
