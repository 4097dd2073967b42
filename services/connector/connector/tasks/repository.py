"""Procrastinate's dead jobs (``failed``: retries ran out), read and re-queued for the admin CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

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
