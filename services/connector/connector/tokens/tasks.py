"""The periodic token clean-up (``token_cleanup_cron``): one-time tokens older than the window go.

The expiry sweep deletes them too (connector.md §9.2 housekeeping); this job keeps them from
piling up on deployments where the expiry sweep is triggered only by hand.
"""

from __future__ import annotations

import procrastinate

from connector import jobs
from connector.config import Settings
from connector.tokens.repository import delete_expired_tokens
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)


async def token_cleanup_job(context: procrastinate.JobContext, timestamp: int) -> None:  # noqa: ARG001 (periodic jobs receive their tick)
    found = jobs.resources(context)
    async with unit_of_work(found.sessionmaker) as session:
        deleted = await delete_expired_tokens(
            session, window_seconds=found.settings.token_expiry_window_seconds
        )
    logger.info("job.token_cleanup.done", tokens_deleted=deleted)


def register(app: procrastinate.App, settings: Settings) -> None:
    app.periodic(cron=settings.token_cleanup_cron, periodic_id="tokens")(
        app.task(name=jobs.TOKEN_CLEANUP, pass_context=True, queueing_lock=jobs.TOKEN_CLEANUP)(
            token_cleanup_job
        )
    )
