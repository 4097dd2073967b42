"""Queries of the refund feature."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccountCredential, Refund, RefundHistory
from connector.refunds.state import COUNTED_STATUSES, RefundStatus


async def refunds_of_charge(session: AsyncSession, charge_id: str) -> Sequence[Refund]:
    query = (
        select(Refund).where(Refund.charge_external_id == charge_id).order_by(Refund.created_date, Refund.id)
    )
    return (await session.scalars(query)).all()


async def amount_submitted(session: AsyncSession, charge_id: str) -> int:
    """Sum of the refunds that count against the charge (connector.md §3.2)."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.charge_external_id == charge_id, Refund.status.in_([str(s) for s in COUNTED_STATUSES])
        )
    )
    return int(total or 0)


async def get_refund(session: AsyncSession, charge_id: str, refund_id: str) -> Refund | None:
    return await session.scalar(
        select(Refund).where(Refund.external_id == refund_id, Refund.charge_external_id == charge_id)
    )


async def get_refund_for_update(session: AsyncSession, refund_id: str) -> Refund:
    return (
        await session.scalars(select(Refund).where(Refund.external_id == refund_id).with_for_update())
    ).one()


async def credential_for_charge(session: AsyncSession, charge: Charge) -> GatewayAccountCredential | None:
    """The charge's own credential, else the account's credential for the charge's provider."""
    if charge.gateway_account_credential_id is not None:
        return await session.get(GatewayAccountCredential, charge.gateway_account_credential_id)
    query = (
        select(GatewayAccountCredential)
        .where(
            GatewayAccountCredential.gateway_account_id == charge.gateway_account_id,
            GatewayAccountCredential.payment_provider == charge.payment_provider,
        )
        .order_by(GatewayAccountCredential.id.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def close_open_history(session: AsyncSession, refund_id: int, now: datetime) -> None:
    """End the refund's current ``refunds_history`` row, before the next one is written."""
    await session.execute(
        update(RefundHistory)
        .where(RefundHistory.refund_id == refund_id, RefundHistory.history_end_date.is_(None))
        .values(history_end_date=now)
    )


async def claim_stale_refund(session: AsyncSession, cutoff: datetime, seen: set[int]) -> Refund | None:
    """The oldest CREATED refund untouched since ``cutoff`` (not in ``seen``), row-locked with SKIP LOCKED."""
    return await session.scalar(
        select(Refund)
        .where(
            Refund.status == RefundStatus.CREATED.value,
            func.coalesce(Refund.updated_date, Refund.created_date) <= cutoff,
            Refund.id.not_in(seen or {0}),
        )
        .order_by(Refund.created_date)
        .limit(1)
        .with_for_update(skip_locked=True)
    )


async def charge_of_refund(session: AsyncSession, refund: Refund) -> Charge | None:
    return await session.scalar(select(Charge).where(Charge.external_id == refund.charge_external_id))
