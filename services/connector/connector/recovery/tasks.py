"""The recovery loop: :func:`recover_intents` every ``recovery_interval_seconds``."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from connector import worker
from connector.config import Settings
from connector.recovery.service import recover_intents
from pay_common.logging import get_logger

logger = get_logger(__name__)


async def recovery_loop(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    while True:
        try:
            await recover_intents(app.state.sessionmaker, settings)
        except Exception as exc:  # keep the schedule alive; the next round retries
            logger.error("worker.recovery.failed", error=type(exc).__name__, exc_info=exc)
        await asyncio.sleep(settings.recovery_interval_seconds)


worker.LOOPS["recovery"] = recovery_loop
