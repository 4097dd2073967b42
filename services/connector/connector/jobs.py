"""The job queue: procrastinate on the connector's own PostgreSQL (docs/decisions.md, "Job engine").

Work is *deferred* with :func:`defer`, an SQL call on the caller's session, so a job exists if
and only if the transaction that needed it commits. Workers (``python -m connector.worker``)
fetch jobs with ``FOR UPDATE SKIP LOCKED`` and wake on ``LISTEN/NOTIFY``, so any number of them,
on any number of machines, share the work. A job that keeps failing ends in procrastinate's
``failed`` status, the dead letters that ``pay-admin dead-jobs`` lists and retries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.config import Settings
from connector.events.consumers import Consumers

# Task names (``<feature>.<verb>``): deferring code names the task, it never imports the job body.
CAPTURE_CHARGE = "charge.capture"
CAPTURE_SWEEP = "charge.capture_sweep"
EXPIRY_SWEEP = "charge.expiry_sweep"
TOKEN_CLEANUP = "token.cleanup"
PUBLISH_EVENTS = "events.publish"
HISTORICAL_EMIT = "events.historical_emit"
EMITTED_EVENTS_SWEEP = "events.emitted_sweep"
RETRY_STALLED = "jobs.retry_stalled"

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[CAST(ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), 0, CAST(:lock AS text), NULL,"
    " CAST(:args AS jsonb), CAST(:scheduled_at AS timestamptz)) AS procrastinate_job_to_defer_v1)])"
)


async def defer(
    session: AsyncSession,
    task: str,
    args: dict[str, Any] | None = None,
    *,
    lock: str | None = None,
    scheduled_at: datetime | None = None,
    queue: str = "default",
) -> None:
    """Enqueue ``task`` in the session's transaction: it commits, or rolls back, with the change."""
    await session.execute(
        _DEFER,
        {
            "queue": queue,
            "task": task,
            "lock": lock,
            "args": json.dumps(args or {}),
            "scheduled_at": scheduled_at,
        },
    )


def conninfo(database_url: str) -> str:
    """The libpq form of the connector's URL (procrastinate's pool uses psycopg, not asyncpg)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(settings: Settings) -> procrastinate.App:
    """A procrastinate app on the connector's database; tasks are added by ``connector.worker``."""
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(settings.database_url),
        min_size=1,
        max_size=settings.worker_db_pool_size,
        kwargs={"application_name": "connector-worker"},
    )
    return procrastinate.App(connector=connector)


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
