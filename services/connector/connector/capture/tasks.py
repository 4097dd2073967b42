"""The capture worker loop: a thin wrapper that calls :func:`capture_due` every poll interval."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from connector import worker
from connector.capture.service import capture_due
from connector.config import Settings
from pay_common.logging import get_logger

logger = get_logger(__name__)


async def capture_loop(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    while True:
        try:
            attempted = await capture_due(app.state.sessionmaker, settings)
        except Exception as exc:  # keep the loop alive; the next round retries
            logger.error("worker.capture.failed", error=type(exc).__name__, exc_info=exc)
            attempted = 0
        if attempted < settings.capture_batch_size:
            await asyncio.sleep(settings.worker_poll_seconds)


worker.LOOPS["capture"] = capture_loop
