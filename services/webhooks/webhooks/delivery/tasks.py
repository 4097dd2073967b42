"""Delivery jobs: a run deferred with each new attempt (now, or when a retry is due), and a
periodic sweep as a safety net for attempts whose job was lost (e.g. created before a restore)."""

from __future__ import annotations

import procrastinate

from webhooks import jobs
from webhooks.config import Settings
from webhooks.delivery.service import deliver_due


async def _deliver_all_due(context: procrastinate.JobContext) -> None:
    found = jobs.resources(context)
    batch = found.settings.delivery_batch_size
    while await deliver_due(found.sessionmaker, found.client, found.settings, limit=batch) == batch:
        pass  # a full batch: there may be more


async def deliver_job(context: procrastinate.JobContext) -> None:
    """Everything due, not only one batch: one ingested batch of events (many payments) can make
    more messages than ``delivery_batch_size``, and it defers one job."""
    await _deliver_all_due(context)


async def delivery_sweep_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    await _deliver_all_due(context)


def register(app: procrastinate.App, settings: Settings) -> None:
    # An attempt's own outcome is recorded on its row; a job retry is for the rest (database down).
    app.task(
        name=jobs.DELIVER,
        queue=jobs.QUEUE,
        pass_context=True,
        retry=procrastinate.RetryStrategy(max_attempts=5, exponential_wait=2),
    )(deliver_job)
    app.periodic(cron=settings.delivery_sweep_cron, periodic_id="webhooks-delivery")(
        app.task(
            name=jobs.DELIVERY_SWEEP, queue=jobs.QUEUE, pass_context=True, queueing_lock=jobs.DELIVERY_SWEEP
        )(delivery_sweep_job)
    )
