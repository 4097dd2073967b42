"""The job queue: procrastinate on the connector's own PostgreSQL (docs/decisions.md, "Job engine").

Work is *deferred* with :func:`defer`, an SQL call on the caller's session, so a job exists if
and only if the transaction that needed it commits. Workers (``python -m connector.worker``)
fetch jobs with ``FOR UPDATE SKIP LOCKED`` and wake on ``LISTEN/NOTIFY``, so any number of them,
on any number of machines, share the work. A job that keeps failing ends in procrastinate's
``failed`` status, the dead letters that ``pay-admin dead-jobs`` lists and retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.config import Settings
from connector.events.consumers import Consumers
from pay_common import jobs as common_jobs

# Task names (``<feature>.<verb>``): deferring code names the task, it never imports the job body.
CAPTURE_CHARGE = "charge.capture"
CAPTURE_SWEEP = "charge.capture_sweep"
EXPIRY_SWEEP = "charge.expiry_sweep"
TOKEN_CLEANUP = "token.cleanup"
RECOVERY_SWEEP = "charge.recovery_sweep"
PUBLISH_EVENTS = "events.publish"
HISTORICAL_EMIT = "events.historical_emit"
EMITTED_EVENTS_SWEEP = "events.emitted_sweep"
RETRY_STALLED = "jobs.retry_stalled"
SEND_EMAIL = "email.send"
AUTHORISE_USER_NOT_PRESENT = "charge.authorise_with_user_not_present"

#: The connector's queue: its workers take no other (the webhooks service has its own).
QUEUE = "default"


async def defer(
    session: AsyncSession,
    task: str,
    args: dict[str, Any] | None = None,
    *,
    lock: str | None = None,
    scheduled_at: datetime | None = None,
    queue: str = QUEUE,
) -> None:
    """Enqueue ``task`` in the session's transaction: it commits, or rolls back, with the change."""
    await common_jobs.defer(session, task, args, queue=queue, lock=lock, scheduled_at=scheduled_at)


async def defer_many(
    session: AsyncSession, task: str, args: list[dict[str, Any]], *, queue: str = QUEUE
) -> None:
    """One ``task`` job for each ``args``, in one statement of the session's transaction."""
    await common_jobs.defer_many(session, task, args, queue=queue)


def build_app(settings: Settings) -> procrastinate.App:
    """A procrastinate app on the connector's database; tasks are added by ``connector.worker``."""
    return common_jobs.build_app(
        settings.database_url, pool_size=settings.worker_db_pool_size, application_name="connector-worker"
    )


def retry_strategy(max_attempts: int, base: int = 2) -> procrastinate.RetryStrategy:
    """Exponential backoff (``base``², ``base``³ ... seconds), ``max_attempts`` times, then dead."""
    return procrastinate.RetryStrategy(max_attempts=max_attempts, exponential_wait=base)


@dataclass(frozen=True)
class WorkerResources:
    """What every job body needs, handed to it in the job context by ``connector.worker``."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    consumers: Consumers


def resources(context: procrastinate.JobContext) -> WorkerResources:
    found = context.additional_context["resources"]
    assert isinstance(found, WorkerResources)
    return found
