"""Background loops that run inside the connector process (or a separate worker process).

Each loop claims work from the database with ``FOR UPDATE SKIP LOCKED``, so any number
of processes can run them side by side. The charge-lifecycle work registers its loops
(capture, expiry sweep) in :data:`LOOPS`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI

from pay_common.logging import get_logger

logger = get_logger(__name__)

#: name -> coroutine function taking the app and running until cancelled.
LOOPS: dict[str, Callable[[FastAPI], Coroutine[Any, Any, None]]] = {}


def start(app: FastAPI) -> list[asyncio.Task[None]]:
    """Start every registered loop as a task; the lifespan cancels them on shutdown."""
    tasks: list[asyncio.Task[None]] = []
    for name, loop in LOOPS.items():
        logger.info("worker.loop_started", loop=name)
        tasks.append(asyncio.create_task(loop(app), name=f"worker:{name}"))
    return tasks


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
