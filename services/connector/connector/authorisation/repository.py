"""Queries only authorisation needs: the card checks (Maestro/3DS guard, accepted brands).

Loading and locking the charge itself is ``connector/charges/repository.py``.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import CardType, GatewayAccount
from connector.models import accepted_card_types as accepted_card_types_table


async def get_account(session: AsyncSession, account_id: int) -> GatewayAccount | None:
    return await session.get(GatewayAccount, account_id)


async def brand_requires_3ds(session: AsyncSession, brand: str) -> bool:
    """True when any card type of ``brand`` needs 3DS (Maestro)."""
    found = await session.scalar(
        select(func.count())
        .select_from(CardType)
        .where(CardType.brand == brand, CardType.requires_3ds.is_(True))
    )
    return bool(found)


async def accepts_card(session: AsyncSession, account_id: int, brand: str, card_type: str | None) -> bool:
    """Whether the account accepts ``brand`` (of ``card_type`` when the payer's card type is known)."""
    query = (
        select(func.count())
        .select_from(CardType)
        .join(accepted_card_types_table, accepted_card_types_table.c.card_type_id == CardType.id)
        .where(accepted_card_types_table.c.gateway_account_id == account_id, CardType.brand == brand)
    )
    if card_type in ("DEBIT", "CREDIT"):
        query = query.where(CardType.type == card_type)
    return bool(await session.scalar(query))
