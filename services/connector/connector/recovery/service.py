"""One pass over every kind of intent state a crash can leave behind (docs/reliability.md).

An *intent state* is recorded before a gateway call and replaced once its answer is recorded;
a process killed in between leaves it behind. Each sweep below owns one kind, claims what has
been untouched for ``stale_intent_after_seconds`` with ``SKIP LOCKED`` and resolves it:

* ``AUTHORISATION READY`` / ``AUTHORISATION 3DS READY``: ask the gateway, void what may be held
  (``cancel.service.recover_stale_authorisations``);
* ``USER/SYSTEM/EXPIRE CANCEL READY``: cancel again, idempotently (``recover_stale_cancels``);
* ``CREATED`` refunds: refund with the same idempotency key (``refunds.service.recover_stale_refunds``);
* ``CAPTURE READY`` is the capture worker's own (``capture.service``: claimed again when stale).

Each sweep is a plain function so a job scheduler can run them one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.cancel.service import recover_stale_authorisations, recover_stale_cancels
from connector.config import Settings
from connector.refunds.service import recover_stale_refunds
from pay_common.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class Recovered:
    authorisations: int
    cancels: int
    refunds: int

    def as_json(self) -> dict[str, int]:
        return {"authorisations": self.authorisations, "cancels": self.cancels, "refunds": self.refunds}


async def recover_intents(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> Recovered:
    stale = settings.stale_intent_after_seconds
    result = Recovered(
        authorisations=len(
            await recover_stale_authorisations(sessionmaker, stale_after_seconds=stale, now=now)
        ),
        cancels=len(await recover_stale_cancels(sessionmaker, stale_after_seconds=stale, now=now)),
        refunds=len(await recover_stale_refunds(sessionmaker, stale_after_seconds=stale, now=now)),
    )
    if any(result.as_json().values()):
        logger.warning("recovery.resolved", **result.as_json())
    return result
