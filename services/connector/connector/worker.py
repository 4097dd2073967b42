"""The job worker: ``python -m connector.worker`` (``make run`` starts one beside the services).

Tasks are registered explicitly by :func:`build_worker_app` (no import side effects); each
feature's ``tasks.py`` has a ``register(app, settings)``. Any number of worker processes, on any
number of machines, share the queue. Killing one (even ``kill -9``) loses nothing: its heartbeat
stops, and the periodic ``jobs.retry_stalled`` job of the others puts its running jobs back in the
queue. SIGTERM/SIGINT stop it gracefully: no new job is taken, the running ones finish. Beside
the jobs each worker runs the outbox publisher (``connector.events.publisher``).

``CONNECTOR_RUN_WORKER=true`` (the default) also runs a worker inside the web process
(:func:`start` / :func:`stop`, called by the app's lifespan).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector import jobs
from connector.capture import tasks as capture_tasks
from connector.charges.service import views_by_external_id
from connector.config import Settings, get_settings
from connector.disputes.service import SandboxDisputesConsumer
from connector.emails import tasks as email_tasks
from connector.emails.consumer import EmailsConsumer
from connector.events import tasks as event_tasks
from connector.events.consumers import Consumers, PaymentViews, build_consumers
from connector.events.publisher import Publisher
from connector.expiry import tasks as expiry_tasks
from connector.gateways import registry
from connector.recovery import tasks as recovery_tasks
from connector.recurring import tasks as recurring_tasks
from connector.tokens import tasks as token_tasks
from pay_common import jobs as common_jobs
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.logging import get_logger

logger = get_logger(__name__)


def register_tasks(app: procrastinate.App, settings: Settings) -> None:
    """Every job type the connector runs; the one list to read to know what a worker does."""
    capture_tasks.register(app, settings)
    expiry_tasks.register(app, settings)
    token_tasks.register(app, settings)
    recovery_tasks.register(app, settings)
    event_tasks.register(app, settings)
    email_tasks.register(app, settings)
    recurring_tasks.register(app, settings)
    common_jobs.register_retry_stalled(
        app, settings, name=jobs.RETRY_STALLED, queue=jobs.QUEUE, periodic_id="stalled"
    )


def build_worker_app(settings: Settings) -> procrastinate.App:
    app = jobs.build_app(settings)
    register_tasks(app, settings)
    return app


def _payment_views(sessionmaker: async_sessionmaker[AsyncSession], base_url: str) -> PaymentViews:
    """What the webhooks sink sends with a batch: its payments' views, read in a session of their own."""

    async def read(external_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        async with sessionmaker() as session:
            return await views_by_external_id(session, external_ids, base_url.rstrip("/"))

    return read


@asynccontextmanager
async def worker_resources(
    settings: Settings, consumers: Consumers | None = None
) -> AsyncIterator[jobs.WorkerResources]:
    """The engine, sessions and consumers the job bodies use, for as long as the worker runs."""
    engine = create_engine(
        settings.database_url, application_name="connector-worker", pool_size=settings.worker_concurrency + 2
    )
    sessionmaker = create_sessionmaker(engine)
    async with httpx.AsyncClient(timeout=settings.event_sink_timeout_seconds) as client:
        if consumers is None:
            consumers = build_consumers(settings, client, _payment_views(sessionmaker, settings.base_url))
            # In-process consumers of the event stream (the HTTP ones come from the settings).
            consumers.register_consumer("emails", EmailsConsumer(sessionmaker))
            consumers.register_consumer("sandbox_disputes", SandboxDisputesConsumer(sessionmaker))
        try:
            yield jobs.WorkerResources(settings=settings, sessionmaker=sessionmaker, consumers=consumers)
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
    registry.configure_sandbox(settings.sandbox_ledger_path, settings.sandbox_latency_seconds)
    async with (
        worker_resources(settings, consumers) as resources,
        registry.configured(settings),
        app.open_async(),
    ):
        logger.info(
            "worker.started", concurrency=settings.worker_concurrency, consumers=resources.consumers.names
        )
        options = common_jobs.worker_options(
            settings,
            queue=jobs.QUEUE,
            resources=resources,
            wait=wait,
            install_signal_handlers=install_signal_handlers,
            shutdown_timeout_seconds=settings.worker_shutdown_timeout_seconds,
        )
        publisher = Publisher(settings, resources.sessionmaker, resources.consumers)
        publishing = asyncio.create_task(publisher.run(), name="connector-publisher") if wait else None
        try:
            await app.run_worker_async(**options)
        finally:
            if publishing is not None:
                publishing.cancel()
                await asyncio.gather(publishing, return_exceptions=True)
        if not wait:
            await publisher.turn()  # what the jobs just wrote (a failure leaves it for the next)
        logger.info("worker.stopped")


def start(settings: Settings) -> asyncio.Task[None]:
    """A worker inside this process (the web app's lifespan): stop it with :func:`stop`."""
    return asyncio.create_task(run(settings, install_signal_handlers=False), name="connector-worker")


async def stop(task: asyncio.Task[None]) -> None:
    """Stop taking jobs, let the running ones finish, and return once the worker is gone."""
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


def main() -> None:
    common_jobs.run_worker_process("connector-worker", get_settings(), run)


if __name__ == "__main__":
    main()
