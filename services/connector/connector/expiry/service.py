"""``POST /v1/tasks/expired-charges-sweep`` and its scheduled twin in the worker.

Picks (connector.md §9.2): the six regular statuses created more than
``charge_expiry_window_seconds`` ago and not updated in the last
``skip_expiring_charges_last_updated_in_seconds``; ``AWAITING CAPTURE REQUEST`` created more
than ``awaiting_delay_capture_expiry_window`` ago. Pre-authorisation charges go straight to
``EXPIRED``; authorised ones are cancelled at the gateway through ``EXPIRE CANCEL READY``. On
Worldpay and Stripe, charges awaiting 3DS and authorised ones are first checked with the
provider, which may have authorised, captured or refused them meanwhile
(``cancel.service``: "queryable" providers). Each charge is handled in its own transactions and claimed with
``SKIP LOCKED``, so a failure or a race on one charge never aborts the sweep.

``AUTHORISATION READY`` / ``AUTHORISATION 3DS READY`` (the outcome is with the gateway, or was
lost in a crash) are never expired blind: the gateway is asked and whatever it authorised is
voided (``cancel.service.resolve_authorising``). Stale ``* CANCEL READY`` charges are finished
(the recovery sweep does both sooner: docs/reliability.md).
Housekeeping: tokens older than ``token_expiry_window_seconds`` and idempotency rows older
than ``idempotency_key_expiry_window_seconds`` are deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.cancel.service import (
    AUTHORISING,
    EXPIRY,
    CancelRefused,
    PendingCancel,
    begin_cancel,
    finish_cancel,
    pending_for,
    recover_stale_cancels,
    request_cancel,
    resolve_authorising,
)
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.idempotency import repository as idempotency_repository
from connector.models import Charge
from connector.tokens import repository as tokens_repository
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus

REGULAR_WINDOW_STATUSES = (
    S.CREATED,
    S.ENTERING_CARD_DETAILS,
    S.AUTHORISATION_READY,
    S.AUTHORISATION_3DS_REQUIRED,
    S.AUTHORISATION_3DS_READY,
    S.AUTHORISATION_SUCCESS,
)
SWEEP_BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    success: int
    failed: int

    def as_json(self) -> dict[str, int]:
        return {"expiry-success": self.success, "expiry-failed": self.failed}


def _expirable(settings: Settings, now: datetime) -> ColumnElement[bool]:
    created_before = now - timedelta(seconds=settings.charge_expiry_window_seconds)
    untouched_since = now - timedelta(seconds=settings.skip_expiring_charges_last_updated_in_seconds)
    delayed_before = now - timedelta(seconds=settings.awaiting_delay_capture_expiry_window)
    return or_(
        and_(
            Charge.status.in_([s.value for s in REGULAR_WINDOW_STATUSES]),
            Charge.created_date < created_before,
            Charge.updated_date < untouched_since,
        ),
        and_(Charge.status == S.AWAITING_CAPTURE_REQUEST.value, Charge.created_date < delayed_before),
    )


async def sweep(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, *, now: datetime | None = None
) -> SweepResult:
    now = now or utc_now()
    async with unit_of_work(sessionmaker) as session:
        await _housekeeping(session, settings, now)
        candidates = (
            await session.scalars(
                select(Charge.id)
                .where(_expirable(settings, now))
                .order_by(Charge.created_date)
                .limit(SWEEP_BATCH)
            )
        ).all()
    success = failed = 0
    for charge_id in candidates:
        outcome = await _expire_one(sessionmaker, settings, charge_id, now)
        if outcome is True:
            success += 1
        elif outcome is False:
            failed += 1
    for status in await recover_stale_cancels(
        sessionmaker, stale_after_seconds=settings.stale_intent_after_seconds, now=now
    ):
        # Only the expiry flow's outcomes count as expiries; user/system cancels are just finished.
        if status == S.EXPIRED:
            success += 1
        elif status == S.EXPIRE_CANCEL_FAILED:
            failed += 1
    result = SweepResult(success, failed)
    logger.info("charge.expiry.swept", expired=result.success, failed=result.failed)
    return result


async def _expire_one(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, charge_id: int, now: datetime
) -> bool | None:
    """True expired (or cancel submitted), False failed, None skipped (changed or locked meanwhile)."""
    try:
        async with unit_of_work(sessionmaker) as session:
            charge = await session.scalar(
                select(Charge)
                .where(Charge.id == charge_id, _expirable(settings, now))
                .with_for_update(skip_locked=True)
            )
            if charge is None:
                return None
            external_id = charge.external_id
            authorising = charge.status in AUTHORISING
            pending: PendingCancel | None
            if authorising:
                request_cancel(charge, EXPIRY)
                pending = await pending_for(session, charge, EXPIRY)
            else:
                pending = await begin_cancel(session, charge, EXPIRY)
        if pending is None:
            logger.info("charge.expiry.expired", charge_external_id=external_id)
            return True
        if authorising:
            final = await resolve_authorising(sessionmaker, pending)
            if final in AUTHORISING:
                return False  # the gateway could not be asked; the next sweep tries again
            return final in (S.EXPIRED, S.EXPIRE_CANCEL_SUBMITTED)
        final = await finish_cancel(sessionmaker, pending)
    except CancelRefused as refused:
        logger.warning("charge.expiry.refused", charge_id=charge_id, status=refused.status.value)
        return False
    # Moved to what the provider says it did (captured, refused) counts as a success, as upstream.
    return final != S.EXPIRE_CANCEL_FAILED


async def _housekeeping(session: AsyncSession, settings: Settings, now: datetime) -> None:
    tokens = await tokens_repository.delete_expired_tokens(
        session, window_seconds=settings.token_expiry_window_seconds, now=now
    )
    keys = await idempotency_repository.delete_older_than(
        session, now - timedelta(seconds=settings.idempotency_key_expiry_window_seconds)
    )
    logger.info("charge.expiry.housekeeping", tokens_deleted=tokens, idempotency_keys_deleted=keys)
