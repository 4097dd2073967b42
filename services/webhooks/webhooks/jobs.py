"""The webhooks service's jobs, on the platform's job queue (queue ``webhooks``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import httpx
import procrastinate
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pay_common import jobs
from webhooks.config import Settings

QUEUE = "webhooks"
DELIVER = "webhooks.deliver"
DELIVERY_SWEEP = "webhooks.delivery_sweep"
RETRY_STALLED = "webhooks.retry_stalled"


async def defer_delivery(session: AsyncSession, *, at: datetime | None = None) -> None:
    """A delivery run, now or when a retry falls due, committed with the attempt that needs it."""
    await jobs.defer(session, DELIVER, queue=QUEUE, scheduled_at=at)


def build_app(settings: Settings) -> procrastinate.App:
    return jobs.build_app(
        settings.database_url, pool_size=settings.worker_concurrency + 2, application_name="webhooks-worker"
    )


@dataclass(frozen=True)
class WorkerResources:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    client: httpx.AsyncClient


def resources(context: procrastinate.JobContext) -> WorkerResources:
    found = context.additional_context["resources"]
    assert isinstance(found, WorkerResources)
    return found
