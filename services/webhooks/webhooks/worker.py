"""The delivery worker: ``python -m webhooks.worker`` (``make run`` starts one).

It takes jobs of the ``webhooks`` queue only. Any number of workers share the deliveries (each
attempt row is claimed with ``FOR UPDATE SKIP LOCKED``). Killed, its attempt in flight rolls back
to PENDING and is sent again; SIGTERM/SIGINT stop it gracefully (running jobs finish).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import procrastinate

from pay_common import jobs as common_jobs
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.logging import get_logger
from pay_common.metrics import start_metrics_server
from webhooks import jobs
from webhooks.config import Settings, get_settings
from webhooks.delivery import tasks as delivery_tasks
from webhooks.delivery.sender import delivery_client

logger = get_logger(__name__)


def build_worker_app(settings: Settings) -> procrastinate.App:
    app = jobs.build_app(settings)
    delivery_tasks.register(app, settings)
    common_jobs.register_retry_stalled(
        app, settings, name=jobs.RETRY_STALLED, queue=jobs.QUEUE, periodic_id="webhooks-stalled"
    )
    return app


@asynccontextmanager
async def worker_resources(settings: Settings) -> AsyncIterator[jobs.WorkerResources]:
    engine = create_engine(
        settings.database_url, application_name="webhooks-worker", pool_size=settings.worker_concurrency + 2
    )
    client = delivery_client(
        timeout=settings.request_timeout_seconds,
        public_addresses_only=settings.effective_callback_url_policy == "strict",
    )
    try:
        async with client:
            yield jobs.WorkerResources(
                settings=settings, sessionmaker=create_sessionmaker(engine), client=client
            )
    finally:
        await engine.dispose()


async def run(settings: Settings, *, install_signal_handlers: bool = True, wait: bool = True) -> None:
    """Run one worker until stopped (``wait=False``: until the queue is empty)."""
    app = build_worker_app(settings)
    port = settings.worker_metrics_port
    metrics = start_metrics_server(settings.metrics_host, port) if port is not None else None
    try:
        await _run_worker(app, settings, install_signal_handlers=install_signal_handlers, wait=wait)
    finally:
        if metrics is not None:
            metrics.close()


async def _run_worker(
    app: procrastinate.App, settings: Settings, *, install_signal_handlers: bool, wait: bool
) -> None:
    async with worker_resources(settings) as resources, app.open_async():
        logger.info("worker.started", concurrency=settings.worker_concurrency, queue=jobs.QUEUE)
        options = common_jobs.worker_options(
            settings,
            queue=jobs.QUEUE,
            resources=resources,
            wait=wait,
            install_signal_handlers=install_signal_handlers,
        )
        await app.run_worker_async(**options)
        logger.info("worker.stopped")


def main() -> None:
    common_jobs.run_worker_process("webhooks-worker", get_settings(), run)


if __name__ == "__main__":
    main()
