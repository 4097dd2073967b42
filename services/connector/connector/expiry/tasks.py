"""The periodic expiry sweep (``expiry_sweep_cron``), the twin of ``POST /v1/tasks/expired-charges-sweep``."""

from __future__ import annotations

import procrastinate

from connector import jobs
from connector.config import Settings
from connector.expiry.service import sweep


async def expiry_sweep_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    found = jobs.resources(context)
    await sweep(found.sessionmaker, found.settings)


def register(app: procrastinate.App, settings: Settings) -> None:
    app.periodic(cron=settings.expiry_sweep_cron, periodic_id="expiry")(
        app.task(name=jobs.EXPIRY_SWEEP, pass_context=True, queueing_lock=jobs.EXPIRY_SWEEP)(expiry_sweep_job)
    )
