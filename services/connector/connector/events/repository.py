"""Queries on ``outbox_events`` for the publisher, the sweep and the historical emitter."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import OutboxEvent


async def pending_for(session: AsyncSession, ordering_key: str, limit: int) -> Sequence[OutboxEvent]:
    """The oldest events of one payment not yet emitted, in the order they were written."""
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.ordering_key == ordering_key, OutboxEvent.emitted_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return rows.all()


async def pending(session: AsyncSession, limit: int) -> Sequence[OutboxEvent]:
    """The oldest events not yet emitted, of every payment, in the order they were written."""
    rows = await session.scalars(
        select(OutboxEvent).where(OutboxEvent.emitted_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
    )
    return rows.all()


#: The channel the outbox's insert trigger notifies (migration 0012), once per committing transaction.
CHANNEL = "connector_outbox"
#: The advisory lock of the one publisher that sends at a time (any worker process): "outbox".
_PUBLISHER_LOCK = 0x6F7574626F78


async def take_publisher_lock(session: AsyncSession) -> None:
    """Wait for the publisher's turn; held until the session's transaction ends (or its
    connection dies with its process), so a crashed publisher never keeps it."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PUBLISHER_LOCK})


async def mark_emitted(session: AsyncSession, ids: Sequence[int]) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), OutboxEvent.emitted_at.is_(None))
        .values(emitted_at=func.now(), do_not_retry_emit_until=None)
    )


#: A publish job for the payment is queued or running: the sweep leaves the payment to it.
_NO_PUBLISH_QUEUED = text(
    "NOT EXISTS (SELECT 1 FROM procrastinate_jobs j WHERE j.lock = 'outbox:' || outbox_events.ordering_key"
    " AND j.status IN ('todo', 'doing'))"
)


async def stale_keys(session: AsyncSession, *, older_than: datetime, now: datetime) -> Sequence[str]:
    """Payments with events older than ``older_than`` never emitted and no publish job queued."""
    rows = await session.scalars(
        select(OutboxEvent.ordering_key)
        .where(
            OutboxEvent.emitted_at.is_(None),
            OutboxEvent.event_date < older_than,
            or_(OutboxEvent.do_not_retry_emit_until.is_(None), OutboxEvent.do_not_retry_emit_until <= now),
            _NO_PUBLISH_QUEUED,
        )
        .group_by(OutboxEvent.ordering_key)
        .order_by(func.min(OutboxEvent.id))
    )
    return rows.all()


async def hold_back(session: AsyncSession, ordering_keys: Sequence[str], until: datetime) -> None:
    """Leave these payments' pending events to the publisher until ``until`` (no sweep storm)."""
    await session.execute(
        update(OutboxEvent)
        .where(and_(OutboxEvent.ordering_key.in_(ordering_keys), OutboxEvent.emitted_at.is_(None)))
        .values(do_not_retry_emit_until=until)
    )


async def existing_keys(
    session: AsyncSession, resource_type: str, resource_external_ids: Sequence[str]
) -> set[tuple[str, str, datetime]]:
    """(resource id, event type, event date) of events already in the outbox."""
    rows = await session.execute(
        select(OutboxEvent.resource_external_id, OutboxEvent.event_type, OutboxEvent.event_date).where(
            OutboxEvent.resource_type == resource_type,
            OutboxEvent.resource_external_id.in_(resource_external_ids),
        )
    )
    return {(row[0], row[1], row[2]) for row in rows}


async def count_unemitted(session: AsyncSession) -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.emitted_at.is_(None))
        )
        or 0
    )
