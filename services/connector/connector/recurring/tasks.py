"""The agreement payment job: deferred by the transition to ``AUTHORISATION USER NOT PRESENT QUEUED``."""

from __future__ import annotations

import procrastinate

from connector import jobs
from connector.config import Settings
from connector.recurring.service import authorise_with_user_not_present


async def authorise_user_not_present_job(context: procrastinate.JobContext, charge_external_id: str) -> None:
    found = jobs.resources(context)
    await authorise_with_user_not_present(found.sessionmaker, found.settings, charge_external_id)


def register(app: procrastinate.App, settings: Settings) -> None:  # noqa: ARG001 (every feature's signature)
    # The gateway's answer (decline, error, timeout) is recorded on the charge; the job's retries
    # are for the rest (database down, a bug). A retry of a job that got past phase 1 does nothing.
    app.task(name=jobs.AUTHORISE_USER_NOT_PRESENT, pass_context=True, retry=jobs.retry_strategy(8))(
        authorise_user_not_present_job
    )
