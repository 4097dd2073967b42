"""The job worker: ``python -m connector.worker`` (``make run`` starts one beside the services).

Tasks are registered explicitly by :func:`build_worker_app` (no import side effects); each
feature's ``tasks.py`` has a ``register(app, settings)``. Any number of worker processes, on any
number of machines, share the queue. Killing one (even ``kill -9``) loses nothing: its heartbeat
stops, and the periodic ``jobs.retry_stalled`` job of the others puts its running jobs back in the
queue. SIGTERM/SIGINT stop it gracefully: no new job is taken, the running ones finish.

``CONNECTOR_RUN_WORKER=true`` (the default) also runs a worker inside the web process
(:func:`start` / :func:`stop`, called by the app's lifespan).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import procrastinate
from procrastinate.app import WorkerOptions

from connector import jobs
from connector.capture import tasks as capture_tasks
from connector.config import Settings, get_settings
from connector.events import tasks as event_tasks
from connector.events.consumers import Consumers, build_consumers
from connector.expiry import tasks as expiry_tasks
from connector.tokens import tasks as token_tasks
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.logging import configure_logging, get_logger

logger = get_logger(__name__)


async def retry_stalled_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    """Put back in the queue the jobs of workers that stopped sending heartbeats (crashed, killed)."""
    found = jobs.resources(context)
    manager = context.app.job_manager
    stalled = await manager.get_stalled_jobs(
        seconds_since_heartbeat=found.settings.worker_stalled_after_seconds
    )
    for job in stalled:
        logger.warning("worker.job_stalled", job_id=job.id, task=job.task_name)
        await manager.retry_job(job)


def register_tasks(app: procrastinate.App, settings: Settings) -> None:
    """Every job type the connector runs; the one list to read to know what a worker does."""
    capture_tasks.register(app, settings)
    expiry_tasks.register(app, settings)
    token_tasks.register(app, settings)
    event_tasks.register(app, settings)
    app.periodic(cron=settings.retry_stalled_jobs_cron, periodic_id="stalled")(
        app.task(name=jobs.RETRY_STALLED, pass_context=True, queueing_lock=jobs.RETRY_STALLED)(
            retry_stalled_job
        )
    )


def build_worker_app(settings: Settings) -> procrastinate.App:
    app = jobs.build_app(settings)
    register_tasks(app, settings)
    return app


@asynccontextmanager
async def worker_resources(
    settings: Settings, consumers: Consumers | None = None
) -> AsyncIterator[jobs.WorkerResources]:
    """The engine, sessions and consumers the job bodies use, for as long as the worker runs."""
    engine = create_engine(
        settings.database_url, application_name="connector-worker", pool_size=settings.worker_concurrency + 2
    )
    async with httpx.AsyncClient(timeout=settings.event_sink_timeout_seconds) as client:
        try:
            yield jobs.WorkerResources(
                settings=settings,
                sessionmaker=create_sessionmaker(engine),
                consumers=consumers if consumers is not None else build_consumers(settings, client),
            )
        finally:
            await engine.dispose()


async def run(
    settings: Settings,
    *,
    consumers: Consumers | None = None,
    install_signal_handlers: bool = True,
    wait: bool = True,
) -> None:
    """Run one worker until stopped (``wait=False``: until the queue is empty)."""
    app = build_worker_app(settings)
    async with worker_resources(settings, consumers) as resources, app.open_async():
        logger.info(
            "worker.started", concurrency=settings.worker_concurrency, consumers=resources.consumers.names
        )
        options: WorkerOptions = {
            "concurrency": settings.worker_concurrency,
            "wait": wait,
            "additional_context": {"resources": resources},
            "delete_jobs": "successful",
            "install_signal_handlers": install_signal_handlers,
            "update_heartbeat_interval": settings.worker_heartbeat_seconds,
            "stalled_worker_timeout": settings.worker_stalled_after_seconds,
        }
        if settings.worker_shutdown_timeout_seconds is not None:
            options["shutdown_graceful_timeout"] = settings.worker_shutdown_timeout_seconds
        await app.run_worker_async(**options)
        logger.info("worker.stopped")


def start(settings: Settings) -> asyncio.Task[None]:
    """A worker inside this process (the web app's lifespan): stop it with :func:`stop`."""
    return asyncio.create_task(run(settings, install_signal_handlers=False), name="connector-worker")


async def stop(task: asyncio.Task[None]) -> None:
    """Stop taking jobs, let the running ones finish, and return once the worker is gone."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def main() -> None:
    settings = get_settings()
    configure_logging(service="connector-worker", level=settings.log_level, json=settings.log_json)
    asyncio.run(run(settings))


if __name__ == "__main__":
    main()
