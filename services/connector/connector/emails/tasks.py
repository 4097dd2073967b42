"""The email job: one per owed email, retried with backoff while Notify is unavailable.

A Notify failure never touches the payment: the email is its own row and job.
"""

from __future__ import annotations

import procrastinate

from connector import jobs
from connector.config import Settings
from connector.emails.notify import NotifyUnavailable
from connector.emails.service import deliver


async def send_email_job(context: procrastinate.JobContext, email_id: int) -> None:
    found = jobs.resources(context)
    # NotifyUnavailable (the attempt already counted on the row) makes the job try again later;
    # the row turns FAILED after notify_max_attempts.
    await deliver(found.sessionmaker, found.settings, email_id)


def register(app: procrastinate.App, settings: Settings) -> None:
    retry = procrastinate.RetryStrategy(
        max_attempts=settings.notify_max_attempts, exponential_wait=3, retry_exceptions={NotifyUnavailable}
    )
    app.task(name=jobs.SEND_EMAIL, pass_context=True, retry=retry)(send_email_job)
