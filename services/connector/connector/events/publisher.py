"""The outbox publisher of one worker process: wakes when events commit, and sends them.

The outbox's insert trigger (migration 0012) notifies ``connector_outbox`` when a transaction
that wrote events commits. Each worker process listens there and runs
:func:`~connector.events.service.publish_pending` on each wake-up (and every
``publisher_poll_seconds`` in case a notification was missed: a reconnect, a listener down). The
publishers of all processes take turns on one advisory lock, so one sends at a time, oldest
first; a notification that arrives while a turn runs makes another turn, so nothing committed
is left behind. A failing consumer is retried after 2, 4, 8 ... (at most 60) seconds, forever:
the events stay in the outbox until every consumer took them.

This replaces one ``events.publish`` job per payment per transaction (four of a payment's six
jobs; each paid procrastinate's insert, fetch and finish, and the fetch's per-lock check grew
with the queue: docs/benchmarks.md, issue 11). That job remains for the emitted-events sweep.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.config import Settings
from connector.events import repository
from connector.events.consumers import Consumers
from connector.events.service import publish_pending
from pay_common.jobs import conninfo
from pay_common.logging import get_logger

logger = get_logger(__name__)
MAX_BACKOFF_SECONDS = 60.0


class Publisher:
    def __init__(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], consumers: Consumers
    ) -> None:
        self._settings, self._sessionmaker, self._consumers = settings, sessionmaker, consumers
        self._wake = asyncio.Event()

    async def turn(self) -> bool:
        """Send everything pending now; False (logged) if a consumer or the database failed."""
        try:
            await publish_pending(
                self._sessionmaker, self._consumers, batch_size=self._settings.publish_batch_size
            )
        except Exception as exc:
            logger.warning("events.publisher_failed", error=type(exc).__name__, detail=str(exc)[:200])
            return False
        return True

    async def run(self) -> None:
        """Publish until cancelled (the worker's stop)."""
        listener: asyncpg.Connection | None = None
        failures = 0
        self._wake.set()  # what was committed before this process started
        try:
            while True:
                if listener is None or listener.is_closed():
                    listener = await self._listen()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self._settings.publisher_poll_seconds)
                except TimeoutError:
                    pass
                self._wake.clear()
                if await self.turn():
                    failures = 0
                    continue
                failures += 1
                await asyncio.sleep(min(2.0**failures, MAX_BACKOFF_SECONDS))
                self._wake.set()
        finally:
            if listener is not None and not listener.is_closed():
                await listener.close()

    def _notified(self, *_: Any) -> None:
        self._wake.set()

    async def _listen(self) -> asyncpg.Connection | None:
        """A connection listening to the outbox's channel (None while the database is away:
        the poll still runs)."""
        try:
            connection = await asyncpg.connect(
                conninfo(self._settings.database_url),
                timeout=5,
                server_settings={"application_name": "connector-publisher"},
            )
            await connection.add_listener(repository.CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            logger.warning("events.publisher_listen_failed", error=type(exc).__name__)
            return None
        self._wake.set()  # anything committed while nobody listened
        return connection
