"""Operator tasks that are not one feature's: dead jobs, the gateway clean-up sweep, event re-emission.

Dead jobs are procrastinate's ``failed`` jobs (a job whose retries ran out). Listing and retrying
them goes through the connector's database session, like everything else the admin CLI does.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.events.service import HistoricalRange

_DEAD_JOBS = text(
    """
    SELECT j.id, j.task_name, j.args, j.attempts, j.queue_name, j.lock,
           (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS failed_at
    FROM procrastinate_jobs j
    WHERE j.status = 'failed' AND (CAST(:task AS varchar) IS NULL OR j.task_name = :task)
    ORDER BY j.id
    LIMIT :limit
    """
)
#: Back to ``todo`` with its attempts reset, so the job gets its whole retry schedule again.
_RETRY_DEAD_JOB = text(
    "UPDATE procrastinate_jobs SET status = 'todo', attempts = 0, scheduled_at = now()"
    " WHERE id = :id AND status = 'failed' RETURNING id"
)


async def list_dead_jobs(session: AsyncSession, *, task: str | None, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(_DEAD_JOBS, {"task": task, "limit": limit})
    return [
        {
            "id": row.id,
            "task": row.task_name,
            "args": row.args,
            "attempts": row.attempts,
            "queue": row.queue_name,
            "lock": row.lock,
            "failed_at": row.failed_at.isoformat() if row.failed_at else None,
        }
        for row in rows
    ]


async def retry_dead_job(session: AsyncSession, job_id: int) -> bool:
    """True if the job was dead and is queued again."""
    return (await session.execute(_RETRY_DEAD_JOB, {"id": job_id})).first() is not None


async def defer_historical_emit(session: AsyncSession, wanted: HistoricalRange) -> None:
    """The historical emitter answers at once and runs as a job (connector.md §12.2 step 5)."""
    args = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(wanted).items()
        if value is not None
    }
    await jobs.defer(session, jobs.HISTORICAL_EMIT, args)


def gateway_cleanup(limit: int) -> dict[str, int]:
    """``POST /v1/tasks/gateway-cleanup-sweep`` (connector.md §9.3).

    Only ePDQ, Worldpay and Stripe charges are cleaned up, and this connector has none of
    those gateways yet: the sandbox never leaves an authorisation to cancel. The gateways work
    replaces this with the query-then-cancel loop, keeping the answer's shape.
    """
    del limit
    return {"cleanup-success": 0, "cleanup-failed": 0}
