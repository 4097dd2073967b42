"""The job queue every service shares: procrastinate on the platform's PostgreSQL.

:func:`defer` enqueues through the caller's SQLAlchemy session (an SQL call to procrastinate's
own defer function), so a job exists if and only if the transaction that needed it commits.
Each service runs its jobs on a queue of its own (``queue``), and its workers listen to that
queue only, so one service's worker never takes another's job.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import procrastinate
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

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
    queue: str,
    lock: str | None = None,
    scheduled_at: datetime | None = None,
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
    """The libpq form of a service's URL (procrastinate's pool uses psycopg, not asyncpg)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def build_app(database_url: str, *, pool_size: int, application_name: str) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(
        conninfo=conninfo(database_url),
        min_size=1,
        max_size=pool_size,
        kwargs={"application_name": application_name},
    )
    return procrastinate.App(connector=connector)
