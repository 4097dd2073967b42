"""The periodic recovery sweep (``recovery_sweep_cron``, every 15 s): :func:`recover_intents`."""

from __future__ import annotations

import procrastinate

from connector import jobs
from connector.config import Settings
from connector.recovery.service import recover_intents


async def recovery_sweep_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    found = jobs.resources(context)
    await recover_intents(found.sessionmaker, found.settings)


def register(app: procrastinate.App, settings: Settings) -> None:
    app.periodic(cron=settings.recovery_sweep_cron, periodic_id="recovery")(
        app.task(name=jobs.RECOVERY_SWEEP, pass_context=True, queueing_lock=jobs.RECOVERY_SWEEP)(
            recovery_sweep_job
        )
    )
