"""Queries of disputes: recording one (idempotent per provider dispute id) and the account search."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from connector.disputes.schemas import DisputeRecord
from connector.models import Charge, Dispute
from connector.search.repository import date_range
from connector.search.schemas import Paging
from pay_common.db.base import utc_now


async def stripe_charge_id(session: AsyncSession, payment_intent_id: str) -> int | None:
    return await session.scalar(
        select(Charge.id).where(
            Charge.payment_provider == "stripe", Charge.gateway_transaction_id == payment_intent_id
        )
    )


async def upsert(session: AsyncSession, record: DisputeRecord) -> None:
    """Insert the dispute, or update it with the provider's latest description of it."""
    values: dict[str, Any] = {
        "charge_id": record.charge_id,
        "payment_intent_id": record.payment_intent_id,
        "amount": record.amount,
        "reason": record.reason,
        "status": record.status,
        "evidence_due_date": record.evidence_due_date,
        "last_event_type": record.event_type[:50],
        "payload": record.payload,
        "updated_date": utc_now(),
    }
    await session.execute(
        insert(Dispute)
        .values(gateway_dispute_id=record.gateway_dispute_id, **values)
        .on_conflict_do_update(index_elements=[Dispute.gateway_dispute_id], set_=values)
    )


def filters(
    account_id: int,
    *,
    statuses: list[str] | None,
    from_date: datetime | None,
    to_date: datetime | None,
) -> list[ColumnElement[bool]]:
    conditions = [
        Charge.gateway_account_id == account_id,
        *date_range(Dispute.created_date, from_date, to_date),
    ]
    if statuses is not None:
        conditions.append(Dispute.status.in_(statuses))
    return conditions


async def count(session: AsyncSession, conditions: list[ColumnElement[bool]]) -> int:
    query = select(func.count()).select_from(Dispute).join(Charge, Charge.id == Dispute.charge_id)
    return int(await session.scalar(query.where(*conditions)) or 0)


async def page(
    session: AsyncSession, conditions: list[ColumnElement[bool]], paging: Paging
) -> Sequence[tuple[Dispute, str]]:
    """The page's disputes, newest first, each with its payment's external id."""
    query = (
        select(Dispute, Charge.external_id)
        .join(Charge, Charge.id == Dispute.charge_id)
        .where(*conditions)
        .order_by(Dispute.created_date.desc(), Dispute.id.desc())
        .offset(paging.offset)
        .limit(paging.display_size)
    )
    return [(dispute, external_id) for dispute, external_id in (await session.execute(query)).all()]


async def sandbox_charges_paid_with(
    session: AsyncSession, external_ids: Sequence[str], cards: Sequence[tuple[str, str]]
) -> Sequence[Charge]:
    """The sandbox charges among ``external_ids`` paid with one of ``cards`` (first, last digits),
    in id order: one query for a batch of events."""
    if not external_ids:
        return []
    rows = await session.scalars(
        select(Charge)
        .where(
            Charge.external_id.in_(external_ids),
            Charge.payment_provider == "sandbox",
            tuple_(Charge.first_digits_card_number, Charge.last_digits_card_number).in_(cards),
        )
        .order_by(Charge.id)
    )
    return rows.all()
