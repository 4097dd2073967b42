"""One pass over every kind of intent state a crash can leave behind (docs/reliability.md).

An *intent state* is recorded before a gateway call and replaced once its answer is recorded;
a process killed in between leaves it behind. Each sweep below owns one kind, claims what has
been untouched for ``stale_intent_after_seconds`` with ``SKIP LOCKED`` and resolves it:

* ``AUTHORISATION READY`` / ``AUTHORISATION 3DS READY``: ask the gateway, void what may be held
  (``cancel.service.recover_stale_authorisations``);
* ``USER/SYSTEM/EXPIRE CANCEL READY``: cancel again, idempotently (``recover_stale_cancels``);
* ``CREATED`` refunds: refund with the same idempotency key (``refunds.service.recover_stale_refunds``);
* ``CAPTURE READY``: claimed again and captured with the same idempotency key
  (``capture.service.capture_due(stale_only=True)``; the once-a-minute capture sweep does it too).

Each sweep is a plain service function; the periodic job ``charge.recovery_sweep`` calls them in turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.cancel.service import recover_stale_authorisations, recover_stale_cancels
from connector.capture.service import capture_due
from connector.config import Settings
from connector.refunds.service import recover_stale_refunds
from pay_common.logging import get_logger

logger = get_logger(__name__)


@dataclass(frozen=True)
class Recovered:
    authorisations: int
    cancels: int
    refunds: int
    captures: int

    def as_json(self) -> dict[str, int]:
        return {
            "authorisations": self.authorisations,
            "cancels": self.cancels,
            "refunds": self.refunds,
            "captures": self.captures,
        }


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
        captures=await _capture_all_due(sessionmaker, settings, now),
    )
    if any(result.as_json().values()):
        logger.warning("recovery.resolved", **result.as_json())
    return result


async def _capture_all_due(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None
) -> int:
    """Only the stale ``CAPTURE READY`` intents: fresh approvals have their own capture jobs, and
    capturing them here would hold this sweep (and its queueing lock) behind the traffic."""
    total = 0
    while (done := await capture_due(sessionmaker, settings, now=now, stale_only=True)) > 0:
        total += done
        if done < settings.capture_batch_size:
            break
    return total
