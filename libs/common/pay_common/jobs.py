"""The job queue every service shares: procrastinate on the platform's PostgreSQL.

:func:`defer` enqueues through the caller's SQLAlchemy session (an SQL call to procrastinate's
own defer function), so a job exists if and only if the transaction that needed it commits.
Each service runs its jobs on a queue of its own (``queue``), and its workers listen to that
queue only, so one service's worker never takes another's job.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any, Protocol, TypeVar

import procrastinate
from procrastinate.app import WorkerOptions
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from pay_common.logging import configure_logging, get_logger

logger = get_logger(__name__)

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


_DEFER_MANY = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY(SELECT CAST(ROW("
    "CAST(:queue AS varchar), CAST(:task AS varchar), 0, NULL, NULL, args, NULL)"
    " AS procrastinate_job_to_defer_v1) FROM unnest(CAST(:args AS jsonb[])) AS args))"
)


async def defer_many(session: AsyncSession, task: str, args: list[dict[str, Any]], *, queue: str) -> None:
    """:func:`defer` of one ``task`` job per ``args``, in one statement (nothing when empty)."""
    if args:
        await session.execute(
            _DEFER_MANY, {"queue": queue, "task": task, "args": [json.dumps(each) for each in args]}
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


class WorkerSettings(Protocol):
    """The worker settings every service has."""

    @property
    def worker_concurrency(self) -> int: ...

    #: How often a worker sends a heartbeat, and how old its last one is when it counts as stalled.
    @property
    def worker_heartbeat_seconds(self) -> float: ...

    @property
    def worker_stalled_after_seconds(self) -> float: ...

    #: When the periodic :func:`register_retry_stalled` job runs.
    @property
    def retry_stalled_jobs_cron(self) -> str: ...


def worker_options(
    settings: WorkerSettings,
    *,
    queue: str,
    resources: object,
    wait: bool,
    install_signal_handlers: bool,
    shutdown_timeout_seconds: float | None = None,
) -> WorkerOptions:
    """How every service runs a worker: its own queue only, finished jobs deleted, heartbeats on,
    ``resources`` handed to each job body in its context."""
    options: WorkerOptions = {
        "queues": [queue],
        "concurrency": settings.worker_concurrency,
        "wait": wait,
        "additional_context": {"resources": resources},
        "delete_jobs": "successful",
        "install_signal_handlers": install_signal_handlers,
        "update_heartbeat_interval": settings.worker_heartbeat_seconds,
        "stalled_worker_timeout": settings.worker_stalled_after_seconds,
    }
    if shutdown_timeout_seconds is not None:
        options["shutdown_graceful_timeout"] = shutdown_timeout_seconds
    return options


async def retry_stalled_jobs(
    context: procrastinate.JobContext, *, queue: str, stalled_after_seconds: float
) -> int:
    """Put back in ``queue`` the jobs of workers that stopped sending heartbeats (crashed, killed);
    returns how many. A stalled periodic job whose next run is already queued is dropped instead:
    that run does the work."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs(queue=queue, seconds_since_heartbeat=stalled_after_seconds))
    for job in stalled:
        logger.warning("worker.job_stalled", job_id=job.id, task=job.task_name)
        try:
            await manager.retry_job(job)
        except (procrastinate.exceptions.AlreadyEnqueued, procrastinate.exceptions.UniqueViolation):
            assert job.id is not None
            await manager.finish_job_by_id_async(
                job.id, status=procrastinate.jobs.Status.ABORTED, delete_job=True
            )
    return len(stalled)


def register_retry_stalled(
    app: procrastinate.App, settings: WorkerSettings, *, name: str, queue: str, periodic_id: str
) -> None:
    """Every service's periodic job ``name`` on its own ``queue``: :func:`retry_stalled_jobs`, so
    the jobs of a worker that was killed or lost are run by the others."""

    async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
        await retry_stalled_jobs(
            context, queue=queue, stalled_after_seconds=settings.worker_stalled_after_seconds
        )

    task = app.task(name=name, queue=queue, pass_context=True, queueing_lock=name)(retry_stalled)
    app.periodic(cron=settings.retry_stalled_jobs_cron, periodic_id=periodic_id)(task)


class ProcessSettings(Protocol):
    """What a worker process's entry point needs of its service's settings."""

    @property
    def log_level(self) -> str: ...

    @property
    def log_json(self) -> bool: ...


SettingsT = TypeVar("SettingsT", bound=ProcessSettings)


def run_worker_process(
    service: str, settings: SettingsT, run: Callable[[SettingsT], Coroutine[Any, Any, None]]
) -> None:
    """The body of ``python -m <service>.worker``: logs named ``service``, then ``run`` until the
    worker is stopped (SIGTERM/SIGINT)."""
    configure_logging(service=service, level=settings.log_level, json=settings.log_json)
    asyncio.run(run(settings))
