"""Capture jobs: one per charge approved for capture, and a periodic sweep as a safety net.

The job is deferred by ``transition()`` (``connector.tasks.triggers``) in the transaction that
approves the capture. The sweep finds what no job covers: charges approved before the job queue
existed, and ``CAPTURE READY`` intents left by a crash (older than ``stale_intent_after_seconds``).
"""

from __future__ import annotations

import procrastinate

from connector import jobs
from connector.capture.service import capture_charge, capture_due
from connector.config import Settings
from pay_common.logging import get_logger

logger = get_logger(__name__)


async def capture_job(context: procrastinate.JobContext, charge_external_id: str) -> None:
    found = jobs.resources(context)
    status = await capture_charge(found.sessionmaker, found.settings, charge_external_id)
    logger.info("job.capture.done", charge_external_id=charge_external_id, status=status and status.value)


async def capture_sweep_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    found = jobs.resources(context)
    while await capture_due(found.sessionmaker, found.settings) == found.settings.capture_batch_size:
        pass  # a full batch: there may be more


def register(app: procrastinate.App, settings: Settings) -> None:
    # Gateway failures are recorded on the charge (CAPTURE APPROVED RETRY, its own schedule);
    # the job's retries are for the rest (database down, a bug), then the job is dead.
    app.task(name=jobs.CAPTURE_CHARGE, pass_context=True, retry=jobs.retry_strategy(8))(capture_job)
    app.periodic(cron=settings.capture_sweep_cron, periodic_id="capture")(
        app.task(name=jobs.CAPTURE_SWEEP, pass_context=True, queueing_lock=jobs.CAPTURE_SWEEP)(
            capture_sweep_job
        )
    )
