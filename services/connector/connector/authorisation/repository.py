"""Row access shared by the charge-lifecycle features (authorisation, capture, cancel, expiry).

Every ``lock_*`` function takes the row lock (``SELECT ... FOR UPDATE``): two requests
that could race for one charge serialise on it, and the loser sees the winner's status.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import CardType, Charge, ChargeEvent, GatewayAccount, GatewayAccountCredential
from connector.models import accepted_card_types as accepted_card_types_table
from pay_common.json_input import is_ascii_digits


def _plausible_id(external_id: str) -> bool:
    # Anything the column could never hold (NUL bytes, huge strings) is simply "not found".
    return 0 < len(external_id) <= 64 and "\x00" not in external_id


async def lock_charge(session: AsyncSession, external_id: str) -> Charge | None:
    if not _plausible_id(external_id):
        return None
    return await session.scalar(
        select(Charge).where(Charge.external_id == external_id).with_for_update(of=Charge)
    )


async def lock_charge_for_account(session: AsyncSession, account_id: str, external_id: str) -> Charge | None:
    """The charge if it belongs to gateway account ``account_id`` (the numeric id, as a path string)."""
    if not is_ascii_digits(account_id) or len(account_id) > 18 or not _plausible_id(external_id):
        return None
    return await session.scalar(
        select(Charge)
        .where(Charge.external_id == external_id, Charge.gateway_account_id == int(account_id))
        .with_for_update(of=Charge)
    )


async def lock_charge_by_id(
    session: AsyncSession, charge_id: int, *, skip_locked: bool = False
) -> Charge | None:
    return await session.scalar(
        select(Charge).where(Charge.id == charge_id).with_for_update(of=Charge, skip_locked=skip_locked)
    )


async def get_account(session: AsyncSession, account_id: int) -> GatewayAccount | None:
    return await session.get(GatewayAccount, account_id)


async def credentials_for(session: AsyncSession, charge: Charge) -> dict[str, Any]:
    """The provider credentials the charge was created with (empty for sandbox)."""
    if charge.gateway_account_credential_id is None:
        return {}
    credential = await session.get(GatewayAccountCredential, charge.gateway_account_credential_id)
    return dict(credential.credentials) if credential else {}


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


async def count_events(session: AsyncSession, charge_id: int, statuses: frozenset[ChargeStatus]) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(ChargeEvent)
        .where(ChargeEvent.charge_id == charge_id, ChargeEvent.status.in_([s.value for s in statuses]))
    )
    return int(found or 0)
