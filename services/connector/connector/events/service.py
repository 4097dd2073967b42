"""The publisher, the emitted-events sweep and the historical emitter (connector.md §12.2).

:func:`publish_pending` sends the pending outbox rows of every payment to every consumer, oldest
first, in batches, and stamps ``emitted_at`` once all of them took a batch; the worker's
:class:`~connector.events.publisher.Publisher` runs it whenever a transaction that wrote events
commits. :func:`publish` does the same for one payment (the sweep's ``events.publish`` job). Both
read and stamp in short transactions of their own, hold none while consumers are called, and
send only in their turn of one advisory lock (any worker process), so one publisher at a time
reads in ``id`` order and a payment's events go out in order; a crash between delivery and
stamping sends the batch again (at least once).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector import jobs
from connector.config import Settings
from connector.events import outbox, repository
from connector.events.consumers import Consumers, Message
from connector.models import Charge, ChargeEvent, OutboxEvent, Refund, RefundHistory
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)
HISTORICAL_PAGE = 100


def message_of(row: OutboxEvent) -> Message:
    """The event as consumers receive it: connector.md §12.1, null members omitted."""
    message: dict[str, Any] = {
        "resource_type": row.resource_type,
        "resource_external_id": row.resource_external_id,
        "parent_resource_external_id": row.parent_resource_external_id,
        "event_type": row.event_type,
        "timestamp": outbox.format_timestamp(row.event_date),
        "event_details": row.event_details,
        "service_id": row.service_id,
        "live": row.live,
        "gateway_account_id": row.gateway_account_id,
    }
    return {key: value for key, value in message.items() if value is not None}


async def publish(
    sessionmaker: async_sessionmaker[AsyncSession],
    consumers: Consumers,
    ordering_key: str,
    *,
    batch_size: int,
) -> int:
    """Deliver every pending event of one payment; returns how many were sent."""
    return await _send(
        sessionmaker, consumers, lambda session: repository.pending_for(session, ordering_key, batch_size)
    )


async def publish_pending(
    sessionmaker: async_sessionmaker[AsyncSession], consumers: Consumers, *, batch_size: int
) -> int:
    """Deliver every pending event of every payment, ``batch_size`` at a time; how many were sent.

    One batch holds the events of many payments, in the order they were written (each
    payment's transactions commit one after another, so its events are too).
    """
    return await _send(sessionmaker, consumers, lambda session: repository.pending(session, batch_size))


async def _send(
    sessionmaker: async_sessionmaker[AsyncSession],
    consumers: Consumers,
    read: Callable[[AsyncSession], Awaitable[Sequence[OutboxEvent]]],
) -> int:
    sent = 0
    async with sessionmaker() as turn:  # its end (commit, rollback or a dead connection) frees the lock
        await repository.take_publisher_lock(turn)
        while True:
            async with unit_of_work(sessionmaker) as session:
                batch = [(row.id, message_of(row)) for row in await read(session)]
            if not batch:
                return sent
            await consumers.deliver([message for _, message in batch])
            async with unit_of_work(sessionmaker) as session:
                await repository.mark_emitted(session, [row_id for row_id, _ in batch])
            sent += len(batch)
            logger.info("events.published", events=len(batch))


async def sweep_unemitted(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> int:
    """``POST /v1/tasks/emitted-events-sweep``: re-send events never marked emitted.

    Events older than ``not_emitted_event_max_age_in_seconds`` whose hold-back has passed get a
    new publish job each (in the same transaction as their new hold-back, so one sweep after
    another does not pile up jobs for an event whose consumer is down).
    """
    now = now or utc_now()
    async with unit_of_work(sessionmaker) as session:
        keys = await repository.stale_keys(
            session,
            older_than=now - timedelta(seconds=settings.not_emitted_event_max_age_in_seconds),
            now=now,
        )
        await _republish(
            session, keys, until=now + timedelta(seconds=settings.do_not_retry_emitting_event_until_seconds)
        )
    logger.info("events.sweep.requeued", payments=len(keys))
    return len(keys)


async def _republish(session: AsyncSession, keys: Sequence[str], *, until: datetime | None) -> None:
    if until is not None and keys:
        await repository.hold_back(session, keys, until)
    for key in keys:
        await jobs.defer(session, jobs.PUBLISH_EVENTS, {"ordering_key": key}, lock=outbox.publish_lock(key))


# --- historical emitter ---------------------------------------------------------------------


@dataclass(frozen=True)
class HistoricalRange:
    """What to (re-)emit: ids of one record type, or a date range of events of both types."""

    record_type: str = "charge"
    start_id: int = 0
    max_id: int | None = None
    start_date: datetime | None = None
    end_date: datetime | None = None
    do_not_retry_emit_until: int | None = None

    def in_dates(self, moment: datetime) -> bool:
        if self.start_date is None or self.end_date is None:
            return True
        return self.start_date <= moment <= self.end_date


async def emit_historical(sessionmaker: async_sessionmaker[AsyncSession], wanted: HistoricalRange) -> int:
    """Write the outbox rows missing for a range of charges or refunds, and publish them.

    Events already in the outbox are skipped (the seed: "doesn't emit event, if event was emitted
    previously"); their consumers got them, or the publisher still has them pending.
    """
    written = 0
    if wanted.start_date is not None or wanted.record_type == "charge":
        written += await _emit_in_pages(
            sessionmaker, wanted, _charge_page, partial(_record_charge_events, wanted=wanted)
        )
    if wanted.start_date is not None or wanted.record_type == "refund":
        written += await _emit_in_pages(sessionmaker, wanted, _refund_history_page, _record_refund_events)
    logger.info("events.historical.emitted", events=written)
    return written


async def _charge_page(session: AsyncSession, wanted: HistoricalRange, after_id: int) -> Sequence[Charge]:
    query = select(Charge).where(Charge.id > after_id).order_by(Charge.id).limit(HISTORICAL_PAGE)
    if wanted.start_date is not None and wanted.end_date is not None:
        query = query.where(
            Charge.id.in_(
                select(ChargeEvent.charge_id).where(
                    ChargeEvent.updated.between(wanted.start_date, wanted.end_date)
                )
            )
        )
    else:
        query = query.where(Charge.id >= wanted.start_id)
        if wanted.max_id is not None:
            query = query.where(Charge.id <= wanted.max_id)
    return (await session.scalars(query)).all()


class _Paged(Protocol):
    @property
    def id(self) -> int: ...


PagedT = TypeVar("PagedT", bound=_Paged)


async def _emit_in_pages(
    sessionmaker: async_sessionmaker[AsyncSession],
    wanted: HistoricalRange,
    page: Callable[[AsyncSession, HistoricalRange, int], Awaitable[Sequence[PagedT]]],
    record: Callable[[AsyncSession, Sequence[PagedT]], Awaitable[list[str]]],
) -> int:
    """Record the missing events of each page of rows (by id, one transaction a page); how many.

    ``record`` returns the payment of each event it wrote, for :func:`_hold_back_for`.
    """
    written, after_id = 0, -1
    while True:
        async with unit_of_work(sessionmaker) as session:
            rows = await page(session, wanted, after_id)
            if not rows:
                return written
            after_id = rows[-1].id
            touched = await record(session, rows)
            written += len(touched)
            await _hold_back_for(session, wanted, touched)


async def _record_charge_events(
    session: AsyncSession, charges: Sequence[Charge], *, wanted: HistoricalRange
) -> list[str]:
    existing = await repository.existing_keys(session, "payment", [c.external_id for c in charges])
    touched: list[str] = []
    for charge in charges:
        events = await session.scalars(
            select(ChargeEvent)
            .where(ChargeEvent.charge_id == charge.id)
            .order_by(ChargeEvent.updated, ChargeEvent.id)
        )
        for event in events:
            if event.event_name is None or not wanted.in_dates(event.updated):
                continue
            if (charge.external_id, event.event_name, event.updated) in existing:
                continue
            await outbox.record_charge_event(session, charge, event.event_name, event.updated)
            touched.append(charge.external_id)
    return touched


async def _refund_history_page(
    session: AsyncSession, wanted: HistoricalRange, after_id: int
) -> Sequence[RefundHistory]:
    query = (
        select(RefundHistory)
        .where(RefundHistory.id > after_id)
        .order_by(RefundHistory.id)
        .limit(HISTORICAL_PAGE)
    )
    if wanted.start_date is not None and wanted.end_date is not None:
        query = query.where(RefundHistory.history_start_date.between(wanted.start_date, wanted.end_date))
    else:
        refund_ids = select(Refund.id).where(Refund.id >= wanted.start_id)
        if wanted.max_id is not None:
            refund_ids = refund_ids.where(Refund.id <= wanted.max_id)
        query = query.where(RefundHistory.refund_id.in_(refund_ids))
    return (await session.scalars(query)).all()


async def _record_refund_events(session: AsyncSession, rows: Sequence[RefundHistory]) -> list[str]:
    existing = await repository.existing_keys(session, "refund", [r.external_id for r in rows])
    touched: list[str] = []
    for row in rows:
        if (row.external_id, outbox.refund_event_type(row), row.history_start_date) in existing:
            continue
        await outbox.record_refund_event(session, row, row.history_start_date)
        touched.append(row.charge_external_id)
    return touched


async def _hold_back_for(session: AsyncSession, wanted: HistoricalRange, keys: list[str]) -> None:
    if wanted.do_not_retry_emit_until and keys:
        until = utc_now() + timedelta(seconds=wanted.do_not_retry_emit_until)
        await repository.hold_back(session, sorted(set(keys)), until)
