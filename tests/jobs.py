"""Running the job queue in tests: a worker that drains the queue and returns, and a look at the jobs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from connector import worker
from connector.config import Settings
from connector.events.consumers import Consumer, Consumers

#: A cron that never fires during a test, so periodic jobs stay out of the way unless wanted.
NEVER = "0 0 1 1 *"
QUIET = {
    "capture_sweep_cron": NEVER,
    "expiry_sweep_cron": NEVER,
    "recovery_sweep_cron": NEVER,
    "token_cleanup_cron": NEVER,
    "emitted_events_sweep_cron": NEVER,
    "retry_stalled_jobs_cron": NEVER,
    "worker_concurrency": 2,
    "worker_db_pool_size": 3,
}


def worker_settings(settings: Settings, **overrides: Any) -> Settings:
    return settings.model_copy(update={**QUIET, **overrides})


def consumers_of(**named: Consumer) -> Consumers:
    consumers = Consumers()
    for name, consumer in named.items():
        consumers.register_consumer(name, consumer)
    return consumers


async def drain(settings: Settings, consumers: Consumers | None = None, **overrides: Any) -> None:
    """Run a worker until no job is due, then return (the worker is gone when this returns).

    A worker started with ``wait=False`` stops when one fetch finds nothing, which can be while a
    running job is deferring another (an approval's events defer email jobs): it is started
    again until the queue really is empty. Without ``consumers`` the worker builds them from the
    settings, as in production.
    """
    for _ in range(20):
        await worker.run(
            worker_settings(settings, **overrides),
            consumers=consumers,
            install_signal_handlers=False,
            wait=False,
        )
        if not await _due_jobs(settings.database_url):
            return
    raise AssertionError("the job queue did not empty")


async def _due_jobs(database_url: str) -> int:
    connection = await asyncpg.connect(
        make_url(database_url).set(drivername="postgresql").render_as_string(False)
    )
    try:
        count: int = await connection.fetchval(
            "SELECT count(*) FROM procrastinate_jobs WHERE queue_name = 'default' AND status = 'todo'"
            " AND (scheduled_at IS NULL OR scheduled_at <= now())"
        )
    finally:
        await connection.close()
    return count


@dataclass(frozen=True)
class JobRow:
    id: int
    task_name: str
    status: str
    args: dict[str, Any]
    attempts: int
    lock: str | None


async def jobs_of(session: AsyncSession, task: str | None = None, *, commit: bool = True) -> list[JobRow]:
    rows = await session.execute(
        text(
            "SELECT id, task_name, status::text AS status, args, attempts, lock FROM procrastinate_jobs"
            " WHERE CAST(:task AS varchar) IS NULL OR task_name = :task ORDER BY id"
        ),
        {"task": task},
    )
    if commit:  # end the read's transaction: the next look sees new commits
        await session.commit()
    return [JobRow(r.id, r.task_name, r.status, r.args, r.attempts, r.lock) for r in rows]


class Recorder:
    """A consumer that keeps every batch it is given, and can be told to fail the next ones."""

    def __init__(self, failures: int = 0) -> None:
        self.batches: list[list[dict[str, Any]]] = []
        self.failures = failures

    async def __call__(self, messages: Sequence[dict[str, Any]]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("consumer down")
        self.batches.append(list(messages))

    @property
    def events(self) -> list[dict[str, Any]]:
        return [message for batch in self.batches for message in batch]
