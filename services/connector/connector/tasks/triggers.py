"""What a charge transition sets off, in its own transaction: the outbox row and the jobs it needs.

``transition()`` calls :func:`after_charge_transition` with one line. A charge that reaches
``CAPTURE APPROVED`` (or ``CAPTURE QUEUED``) gets its capture job in the same transaction, so the
job exists if and only if the status change committed; a failed capture
(``CAPTURE APPROVED RETRY``) gets the next attempt scheduled after the retry delay; an agreement
payment queued for authorisation (``AUTHORISATION USER NOT PRESENT QUEUED``) gets its
``charge.authorise_with_user_not_present`` job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.charges.state import ChargeStatus
from connector.config import get_settings
from connector.events import outbox
from connector.models import Charge

S = ChargeStatus
CAPTURE_NOW = frozenset({S.CAPTURE_APPROVED, S.CAPTURE_QUEUED})
#: The job runs a little after the retry delay, so the claim's "delay has passed" test holds.
RETRY_MARGIN = timedelta(seconds=1)


async def after_charge_transition(
    session: AsyncSession, charge: Charge, target: ChargeStatus, event: str | None, at: datetime
) -> None:
    await outbox.record_charge_event(session, charge, event, at)
    if target in CAPTURE_NOW:
        await defer_capture(session, charge.external_id)
    elif target == S.AUTHORISATION_USER_NOT_PRESENT_QUEUED:
        await jobs.defer(session, jobs.AUTHORISE_USER_NOT_PRESENT, {"charge_external_id": charge.external_id})
    elif target == S.CAPTURE_APPROVED_RETRY:
        delay = timedelta(seconds=get_settings().capture_process_failed_capture_retry_delay_in_seconds)
        await defer_capture(session, charge.external_id, at=at + delay + RETRY_MARGIN)


async def defer_capture(
    session: AsyncSession, charge_external_id: str, *, at: datetime | None = None
) -> None:
    await jobs.defer(
        session, jobs.CAPTURE_CHARGE, {"charge_external_id": charge_external_id}, scheduled_at=at
    )
