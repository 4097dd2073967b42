"""Queries of agreements and payment instruments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Agreement, PaymentInstrument

_Row = TypeVar("_Row")


async def _one(session: AsyncSession, query: Select[_Row], *, lock: bool) -> _Row | None:
    """The row ``query`` finds (None when none), locked ``FOR UPDATE`` when ``lock``."""
    return await session.scalar(query.with_for_update() if lock else query)


async def agreement_of_account(
    session: AsyncSession, account_id: int, agreement_id: str, *, lock: bool = False
) -> Agreement | None:
    query = select(Agreement).where(
        Agreement.gateway_account_id == account_id, Agreement.external_id == agreement_id
    )
    return await _one(session, query, lock=lock)


async def agreement_by_id(
    session: AsyncSession, agreement_id: int, *, lock: bool = False
) -> Agreement | None:
    return await _one(session, select(Agreement).where(Agreement.id == agreement_id), lock=lock)


async def instrument_by_id(session: AsyncSession, instrument_id: int) -> PaymentInstrument | None:
    return await session.get(PaymentInstrument, instrument_id)


async def current_instrument(session: AsyncSession, agreement: Agreement) -> PaymentInstrument | None:
    """The instrument the agreement pays with now (None before its set-up payment)."""
    if agreement.payment_instrument_id is None:
        return None
    return await instrument_by_id(session, agreement.payment_instrument_id)


async def instrument_of_charge(
    session: AsyncSession, charge_id: int, *, lock: bool = False
) -> PaymentInstrument | None:
    query = select(PaymentInstrument).where(PaymentInstrument.charge_id == charge_id)
    return await _one(session, query, lock=lock)


async def instruments_by_ids(session: AsyncSession, ids: Sequence[int]) -> dict[int, PaymentInstrument]:
    if not ids:
        return {}
    rows = await session.scalars(select(PaymentInstrument).where(PaymentInstrument.id.in_(ids)))
    return {row.id: row for row in rows}


async def search_agreements(
    session: AsyncSession,
    account_id: int,
    *,
    status: str | None,
    reference: str | None,
    page: int,
    display_size: int,
) -> tuple[int, list[Agreement]]:
    """The total matching and one page of them, newest first (references match exactly, ignoring case, as the contract says)."""
    conditions = [Agreement.gateway_account_id == account_id]
    if status is not None:
        conditions.append(Agreement.status == status)
    if reference is not None:
        conditions.append(func.lower(Agreement.reference) == reference.lower())
    total = await session.scalar(select(func.count()).select_from(Agreement).where(*conditions)) or 0
    rows = await session.scalars(
        select(Agreement)
        .where(*conditions)
        .order_by(Agreement.created_date.desc(), Agreement.id.desc())
        .offset((page - 1) * display_size)
        .limit(display_size)
    )
    return total, list(rows)
