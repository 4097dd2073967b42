"""The worker loop that keeps the queue gauges (pay_common.metrics) current."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector import worker
from connector.observability import repository
from pay_common import metrics
from pay_common.db.base import utc_now
from pay_common.logging import get_logger

logger = get_logger(__name__)

#: Seconds between samples: a scrape interval's worth of staleness at most.
SAMPLE_INTERVAL_SECONDS = 15.0


async def sample_queues(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Set each queue's depth and oldest age from the database, now."""
    async with sessionmaker() as session:
        capture = await repository.capture_queue(session)
    metrics.JOB_QUEUE_DEPTH.labels(queue="capture").set(capture.depth)
    age = (utc_now() - capture.oldest).total_seconds() if capture.oldest is not None else 0.0
    metrics.JOB_QUEUE_OLDEST_AGE.labels(queue="capture").set(max(age, 0.0))


async def queue_metrics_loop(app: FastAPI) -> None:
    while True:
        try:
            await sample_queues(app.state.sessionmaker)
        except Exception as exc:  # a failed sample leaves the last values; the next one retries
            logger.warning("worker.queue_metrics.failed", error=type(exc).__name__)
        await asyncio.sleep(SAMPLE_INTERVAL_SECONDS)


worker.LOOPS["queue-metrics"] = queue_metrics_loop
