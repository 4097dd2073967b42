"""Event jobs: one payment's publisher (deferred by the sweep), the historical emitter, the sweep."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import procrastinate

from connector import jobs
from connector.config import Settings
from connector.events.service import HistoricalRange, emit_historical, publish, sweep_unemitted


async def publish_job(context: procrastinate.JobContext, ordering_key: str) -> None:
    found = jobs.resources(context)
    await publish(
        found.sessionmaker, found.consumers, ordering_key, batch_size=found.settings.publish_batch_size
    )


async def historical_emit_job(context: procrastinate.JobContext, /, **wanted: Any) -> None:
    found = jobs.resources(context)
    for field in ("start_date", "end_date"):
        if wanted.get(field):
            wanted[field] = datetime.fromisoformat(wanted[field])
    await emit_historical(found.sessionmaker, HistoricalRange(**wanted))


async def emitted_sweep_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    found = jobs.resources(context)
    await sweep_unemitted(found.sessionmaker, found.settings)


def register(app: procrastinate.App, settings: Settings) -> None:
    # A consumer that is down gets the batch again after 2, 4, 8 ... s (about 17 minutes over
    # ten attempts); after that the job is dead and the emitted-events sweep takes over.
    app.task(name=jobs.PUBLISH_EVENTS, pass_context=True, retry=jobs.retry_strategy(10))(publish_job)
    app.task(name=jobs.HISTORICAL_EMIT, pass_context=True, retry=jobs.retry_strategy(3))(historical_emit_job)
    app.periodic(cron=settings.emitted_events_sweep_cron, periodic_id="emitted-events")(
        app.task(name=jobs.EMITTED_EVENTS_SWEEP, pass_context=True, queueing_lock=jobs.EMITTED_EVENTS_SWEEP)(
            emitted_sweep_job
        )
    )
