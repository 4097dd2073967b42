"""Keeps the job-queue and outbox gauges (pay_common.metrics) current in a process that exports metrics.

The figures are the database's, so any one connector process's view is the whole platform's; the
sampler runs wherever ``CONNECTOR_METRICS_PORT`` is set (connector's lifespan starts it).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.observability import repository
from pay_common import metrics
from pay_common.db.base import utc_now
from pay_common.logging import get_logger

logger = get_logger(__name__)

#: Seconds between samples: a scrape interval's worth of staleness at most.
SAMPLE_INTERVAL_SECONDS = 15.0
#: Tasks that have had waiting jobs in this process.
_seen: set[str] = set()


def _age(oldest: datetime | None) -> float:
    return max((utc_now() - oldest).total_seconds(), 0.0) if oldest is not None else 0.0


async def sample_queues(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Set each task queue's depth and oldest age, and the outbox lag, from the database now."""
    async with sessionmaker() as session:
        waiting = await repository.waiting_jobs(session)
        oldest_event = await repository.oldest_unpublished_event(session)
    # Queues seen before but empty now drop to zero rather than keep their last value.
    _seen.update(waiting)
    for task in _seen:
        state = waiting.get(task, repository.QueueState(depth=0, oldest=None))
        metrics.JOB_QUEUE_DEPTH.labels(queue=task).set(state.depth)
        metrics.JOB_QUEUE_OLDEST_AGE.labels(queue=task).set(_age(state.oldest))
    metrics.OUTBOX_LAG.set(_age(oldest_event))


async def sample_forever(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    while True:
        try:
            await sample_queues(sessionmaker)
        except Exception as exc:  # a failed sample leaves the last values; the next one retries
            logger.warning("metrics.queue_sample_failed", error=type(exc).__name__)
        await asyncio.sleep(SAMPLE_INTERVAL_SECONDS)
