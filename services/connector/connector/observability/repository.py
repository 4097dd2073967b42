"""Queries behind the queue gauges: the job queue (procrastinate) and the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import OutboxEvent


@dataclass(frozen=True)
class QueueState:
    depth: int
    oldest: datetime | None


#: Jobs waiting to run, per task; a job's age runs from when it was deferred (its first event).
_WAITING_JOBS = text(
    """
    SELECT j.task_name, count(*) AS depth, min(coalesce(e.at, j.scheduled_at)) AS oldest
    FROM procrastinate_jobs j
    LEFT JOIN LATERAL (
        SELECT min(at) AS at FROM procrastinate_events WHERE job_id = j.id AND type = 'deferred'
    ) e ON true
    WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now())
    GROUP BY j.task_name
    """
)


async def waiting_jobs(session: AsyncSession) -> dict[str, QueueState]:
    rows = (await session.execute(_WAITING_JOBS)).all()
    return {row.task_name: QueueState(depth=int(row.depth), oldest=row.oldest) for row in rows}


async def oldest_unpublished_event(session: AsyncSession) -> datetime | None:
    oldest: datetime | None = await session.scalar(
        select(func.min(OutboxEvent.event_date)).where(OutboxEvent.emitted_at.is_(None))
    )
    return oldest
