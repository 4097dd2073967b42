"""The scheduled expiry sweep: runs :func:`sweep` every ``expiry_sweep_interval_seconds``."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from connector import worker
from connector.config import Settings
from connector.expiry.service import sweep
from pay_common.logging import get_logger

logger = get_logger(__name__)


async def expiry_loop(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    while True:
        await asyncio.sleep(settings.expiry_sweep_interval_seconds)
        try:
            await sweep(app.state.sessionmaker, settings)
        except Exception as exc:  # keep the schedule alive
            logger.error("worker.expiry.failed", error=type(exc).__name__, exc_info=exc)


worker.LOOPS["expiry-sweep"] = expiry_loop
