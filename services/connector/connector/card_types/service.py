"""Accepted card types of an account (connector.md §7.2)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts import repository
from connector.accounts.errors import AccountConflict, FieldsMissing
from connector.accounts.service import get_account
from connector.errors import BadRequest
from connector.models import CardType


async def all_card_types(session: AsyncSession) -> Sequence[CardType]:
    return await repository.all_card_types(session)


async def accepted(session: AsyncSession, account_id: str) -> Sequence[CardType]:
    account = await get_account(session, account_id)
    return await repository.accepted_card_types_of(session, account.id)


def _parse_ids(body: dict[str, Any]) -> tuple[list[uuid.UUID], list[str]]:
    if "card_types" not in body or body["card_types"] is None:
        raise FieldsMissing(["card_types"])
    raw = body["card_types"]
    if not isinstance(raw, list):
        raise BadRequest("Field [card_types] must be a list of card type ids")
    ids: list[uuid.UUID] = []
    malformed: list[str] = []
    for item in raw:
        try:
            ids.append(uuid.UUID(item))
        except (TypeError, ValueError, AttributeError):
            malformed.append(str(item))
    return ids, malformed


async def replace_accepted(session: AsyncSession, account_id: str, body: dict[str, Any]) -> None:
    """Replace the accepted set; unknown ids → 400, a 3DS type on a non-3DS account → 409."""
    account = await get_account(session, account_id, for_update=True)
    ids, malformed = _parse_ids(body)
    found = {card_type.id: card_type for card_type in await repository.card_types_by_ids(session, ids)}
    unknown = malformed + [str(card_type_id) for card_type_id in ids if card_type_id not in found]
    if unknown:
        raise BadRequest(f"Accepted Card Type(s) referenced by id(s) '{','.join(unknown)}' not found")
    if not account.requires_3ds and any(card_type.requires_3ds for card_type in found.values()):
        raise AccountConflict(
            "Card types that require 3DS cannot be accepted by an account that does not require 3DS"
        )
    await repository.replace_accepted_card_types(session, account.id, list(dict.fromkeys(ids)))
    await session.flush()
