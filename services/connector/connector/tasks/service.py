"""Operator tasks that are not one feature's: dead jobs, the gateway clean-up sweep, event re-emission.

Dead jobs are procrastinate's ``failed`` jobs (a job whose retries ran out). Listing and retrying
them goes through the connector's database session, like everything else the admin CLI does.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.events.service import HistoricalRange
from connector.tasks.repository import list_dead_jobs, retry_dead_job

__all__ = ["defer_historical_emit", "list_dead_jobs", "retry_dead_job"]


async def defer_historical_emit(session: AsyncSession, wanted: HistoricalRange) -> None:
    """The historical emitter answers at once and runs as a job (connector.md §12.2 step 5)."""
    args = {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in asdict(wanted).items()
        if value is not None
    }
    await jobs.defer(session, jobs.HISTORICAL_EMIT, args)
