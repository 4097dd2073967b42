"""Capture: approval (frontend and delayed-capture API) and the worker's single step.

The queue *is* the charges table: a charge in ``CAPTURE APPROVED`` or ``CAPTURE QUEUED``
(or ``CAPTURE APPROVED RETRY`` whose retry delay has passed) is work. :func:`_capture_one`
claims one with ``FOR UPDATE SKIP LOCKED`` so any number of workers can run, moves it to
``CAPTURE READY`` (the intent) and commits; calls the gateway with the deterministic
idempotency key ``connector:capture:<external id>``; then records the answer in a new
transaction (docs/decisions.md, "Capture queue").

A ``CAPTURE READY`` older than ``stale_intent_after_seconds`` was left by a crash between
intent and result: it is claimed again (``→ CAPTURE APPROVED RETRY → CAPTURE READY``) and
captured with the same idempotency key, so the provider cannot capture twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.agreements import service as agreements_service
from connector.charges import repository
from connector.charges.errors import CannotCapture, ChargeNotFound, DelayedCaptureConflict
from connector.charges.gateway_call import GatewayCall
from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.gateways.base import CaptureResult, CaptureStatus
from connector.models import Fee
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.ids import new_external_id
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus

#: Statuses for which a delayed-capture request is a no-op 204 (capture already under way or done).
ALREADY_CAPTURING = frozenset(
    {S.CAPTURE_APPROVED, S.CAPTURE_APPROVED_RETRY, S.CAPTURE_READY, S.CAPTURE_SUBMITTED, S.CAPTURED}
)
#: What counts towards the retry limit (the original counts these charge_events rows).
RETRY_COUNTED = frozenset({S.CAPTURE_APPROVED, S.CAPTURE_APPROVED_RETRY})


def idempotency_key(charge_external_id: str) -> str:
    return f"connector:capture:{charge_external_id}"


# --- approval ------------------------------------------------------------------------------


async def approve_by_user(session: AsyncSession, charge_id: str) -> ChargeStatus:
    """``POST /v1/frontend/charges/{id}/capture``: the paying user confirmed the payment."""
    charge = await repository.lock_charge(session, charge_id)
    if charge is None:
        raise ChargeNotFound(charge_id)
    if charge.status != S.AUTHORISATION_SUCCESS:
        raise CannotCapture(charge.status)
    if charge.delayed_capture:
        target = S.AWAITING_CAPTURE_REQUEST
    elif charge.authorisation_mode.upper() in ("MOTO_API", "AGREEMENT"):
        target = S.CAPTURE_QUEUED
    else:
        target = S.CAPTURE_APPROVED
    await transition(session, charge, target)
    await agreements_service.activate_instrument(session, charge)
    logger.info("charge.capture.approved_by_user", charge_external_id=charge_id, status=target.value)
    return target


async def approve_by_service(session: AsyncSession, account_id: str, charge_id: str) -> ChargeStatus:
    """``POST /v1/api/accounts/{accountId}/charges/{chargeId}/capture`` (delayed capture)."""
    charge = await repository.lock_charge_for_account(session, account_id, charge_id)
    if charge is None:
        raise ChargeNotFound(charge_id)
    status = S(charge.status)
    if status in ALREADY_CAPTURING:
        # Already queued (the queue is the status), so the original's re-queue is a no-op here.
        return status
    if status != S.AWAITING_CAPTURE_REQUEST:
        raise DelayedCaptureConflict(charge_id)
    await transition(session, charge, S.CAPTURE_APPROVED)
    logger.info("charge.capture.approved_by_service", charge_external_id=charge_id)
    return S.CAPTURE_APPROVED


# --- the worker's step ---------------------------------------------------------------------


async def _claim(
    session: AsyncSession,
    settings: Settings,
    now: datetime,
    external_id: str | None = None,
    *,
    stale_only: bool = False,
) -> GatewayCall | None:
    retry_due = now - timedelta(seconds=settings.capture_process_failed_capture_retry_delay_in_seconds)
    stale = now - timedelta(seconds=settings.stale_intent_after_seconds)
    charge = await repository.claim_due_capture(
        session, retry_due=retry_due, stale=stale, external_id=external_id, stale_only=stale_only
    )
    if charge is None:
        return None
    if charge.status == S.CAPTURE_READY:
        logger.warning("charge.capture.recovering_stale_intent", charge_external_id=charge.external_id)
        await transition(session, charge, S.CAPTURE_APPROVED_RETRY)
    await transition(session, charge, S.CAPTURE_READY)
    return await GatewayCall.of(session, charge)


async def _capture_one(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    external_id: str | None = None,
    stale_only: bool = False,
) -> ChargeStatus | None:
    """Capture one due charge (``external_id``'s, if given; only a stale ``CAPTURE READY`` with
    ``stale_only``); returns its new status, or None."""
    async with unit_of_work(sessionmaker) as session:
        claimed = await _claim(session, settings, now or utc_now(), external_id, stale_only=stale_only)
    if claimed is None:
        return None
    try:
        gateway = registry.get_gateway(claimed.provider)
        result = await gateway.capture(claimed.operation(idempotency_key(claimed.external_id)))
        captured: CaptureResult | None = result
    except Exception as exc:  # GatewayError, or an adapter bug: retry later either way
        logger.warning(
            "charge.capture.gateway_failed", charge_external_id=claimed.external_id, error=type(exc).__name__
        )
        captured = None
    return await _record_capture(sessionmaker, settings, claimed, captured)


async def _record_capture(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    claimed: GatewayCall,
    captured: CaptureResult | None,
) -> ChargeStatus:
    async with unit_of_work(sessionmaker) as session:
        charge = await repository.lock_charge_by_id(session, claimed.charge_id)
        if charge is None or charge.status != S.CAPTURE_READY:
            logger.warning("charge.capture.result_discarded", charge_external_id=claimed.external_id)
            return S(charge.status) if charge else S.UNDEFINED
        if captured is None:
            await transition(session, charge, S.CAPTURE_APPROVED_RETRY)
            attempts = await repository.count_events(session, charge.id, RETRY_COUNTED)
            if attempts > settings.capture_process_maximum_retries:
                await transition(session, charge, S.CAPTURE_ERROR)
                logger.error(
                    "charge.capture.abandoned", charge_external_id=claimed.external_id, attempts=attempts
                )
            return S(charge.status)
        await transition(session, charge, S.CAPTURE_SUBMITTED)
        if captured.fee is not None:
            session.add(
                Fee(
                    external_id=new_external_id(),
                    charge_id=charge.id,
                    amount_due=captured.fee,
                    amount_collected=captured.fee,
                    fee_type="transaction",
                    gateway_transaction_id=claimed.gateway_transaction_id,
                    collected_date=utc_now(),
                )
            )
        if captured.status == CaptureStatus.COMPLETE:
            # Sandbox and Stripe confirm at once; PENDING providers confirm by notification.
            await transition(session, charge, S.CAPTURED)
        logger.info("charge.capture.recorded", charge_external_id=claimed.external_id, status=charge.status)
        return S(charge.status)


async def capture_charge(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, external_id: str
) -> ChargeStatus | None:
    """The capture job's step: capture this charge if it is due (None: not due, done or locked)."""
    return await _capture_one(sessionmaker, settings, external_id=external_id)


async def capture_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    now: datetime | None = None,
    stale_only: bool = False,
) -> int:
    """Capture up to ``capture_batch_size`` due charges (``stale_only``: only ``CAPTURE READY``
    intents a crash left); returns how many were attempted."""
    attempted = 0
    while attempted < settings.capture_batch_size:
        if await _capture_one(sessionmaker, settings, now=now, stale_only=stale_only) is None:
            break
        attempted += 1
    return attempted
