"""Refunds: availability (connector.md §3.2), submission (§3.3) and refund status changes.

Stronger than the original (§3.4): the charge row is locked (``SELECT ... FOR UPDATE``)
from the availability check until the refund row is committed, so two concurrent
requests can never both spend the same available amount. The gateway is called after
that commit, never while the lock is held, and its answer is recorded in a second
transaction. A crash between the two leaves a ``CREATED`` refund, which still counts
against the available amount (never an over-refund); :func:`recover_stale_refunds` (the
recovery sweep) carries it out later with the same idempotency key, so the provider refunds once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.accounts.errors import GatewayAccountNotFound
from connector.accounts.service import get_account
from connector.charges import repository as charges_repository
from connector.charges.errors import ChargeNotFound
from connector.charges.service import refund_summary_of
from connector.events import outbox
from connector.gateways.base import GatewayError, RefundResult
from connector.gateways.base import RefundRequest as GatewayRefundRequest
from connector.gateways.base import RefundStatus as GatewayRefundStatus
from connector.gateways.credentials import stored_credentials
from connector.models import Charge, GatewayAccountCredential, Refund, RefundHistory
from connector.refunds import errors, repository
from connector.refunds import gateway as gateways
from connector.refunds.schemas import RefundRequest
from connector.refunds.state import TRANSITIONS, RefundStatus
from pay_common import metrics
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.ids import new_external_id
from pay_common.logging import get_logger

logger = get_logger(__name__)

MAX_REFUND_AMOUNT = 10_000_000


def summary(charge: Charge, submitted: int) -> dict[str, Any]:
    """The ``refund_summary`` of a charge given the sum of its counted refunds (one calculator: charges')."""
    return refund_summary_of(charge.status, charge.amount, charge.corporate_surcharge, submitted)


async def refund_summary(session: AsyncSession, charge: Charge) -> dict[str, Any]:
    return summary(charge, await repository.amount_submitted(session, charge.external_id))


def _history_row(refund: Refund, at: Any) -> RefundHistory:
    return RefundHistory(
        refund_id=refund.id,
        external_id=refund.external_id,
        amount=refund.amount,
        status=refund.status,
        created_date=refund.created_date,
        user_external_id=refund.user_external_id,
        user_email=refund.user_email,
        gateway_transaction_id=refund.gateway_transaction_id,
        charge_external_id=refund.charge_external_id,
        history_start_date=at,
        version=refund.version,
    )


async def transition_refund(session: AsyncSession, refund: Refund, target: RefundStatus) -> None:
    """Move a refund to ``target`` and write its ``refunds_history`` row (connector.md §3.1).

    The one writer of ``Refund.status`` after creation; ``refunds/state.py`` holds the edges.
    """
    TRANSITIONS.check(refund.status, target)
    now = utc_now()
    await repository.close_open_history(session, refund.id, now)
    refund.status = target.value
    refund.version += 1
    session.add(_history_row(refund, now))
    await session.flush()
    await outbox.record_refund_event(session, refund, now)
    metrics.REFUNDS.labels(status=refund.status).inc()
    logger.info("refund.status_changed", refund_id=refund.external_id, status=refund.status)


@dataclass(frozen=True)
class ReservedRefund:
    """A committed ``CREATED`` refund and what the gateway needs to carry it out."""

    refund_id: str
    account_id: int
    charge_id: str
    payment_provider: str
    request: GatewayRefundRequest


def check_amount(amount: int) -> None:
    if amount > MAX_REFUND_AMOUNT:
        raise errors.amount_not_available()
    if amount < 1:
        raise errors.min_amount()


async def reserve(
    session: AsyncSession, account_id: str, charge_id: str, body: RefundRequest
) -> ReservedRefund:
    """Checks 1–7 of connector.md §3.3 under the charge row lock; inserts the CREATED refund."""
    check_amount(body.amount)
    account = await get_account(session, account_id, not_found=GatewayAccountNotFound)
    # The charge row is the refund lock: every refund of a charge is inserted while holding it.
    charge = await charges_repository.get_for_account(session, account.id, charge_id, for_update=True)
    if charge is None:
        raise ChargeNotFound(charge_id)
    if account.disabled:
        raise errors.account_disabled()
    credential = await repository.credential_for_charge(session, charge)
    if credential is None:
        raise errors.no_credentials()
    current = summary(charge, await repository.amount_submitted(session, charge_id))
    if current["status"] != "available":
        raise errors.not_available_for_refund(charge_id, current["status"])
    available = int(current["amount_available"])
    if available != body.refund_amount_available:
        raise errors.mismatch()
    if available - body.amount < 0:
        raise errors.amount_not_available()
    refund = await _insert_refund(session, charge, body)
    return _reserved(refund, charge, credential)


def _reserved(refund: Refund, charge: Charge, credential: GatewayAccountCredential) -> ReservedRefund:
    return ReservedRefund(
        refund_id=refund.external_id,
        account_id=charge.gateway_account_id,
        charge_id=charge.external_id,
        payment_provider=charge.payment_provider,
        request=GatewayRefundRequest(
            refund_external_id=refund.external_id,
            charge_external_id=charge.external_id,
            charge_gateway_transaction_id=charge.gateway_transaction_id,
            amount=refund.amount,
            credentials=stored_credentials(charge.payment_provider, credential.credentials),
            # Deterministic: a retry after a crash is the same refund to the provider.
            idempotency_key=f"connector:refund:{refund.external_id}",
            authorisation_mode=charge.authorisation_mode.upper(),
            save_payment_instrument=bool(charge.save_payment_instrument_to_agreement),
            charge_amount=charge.amount + (charge.corporate_surcharge or 0),
        ),
    )


async def _insert_refund(session: AsyncSession, charge: Charge, body: RefundRequest) -> Refund:
    external_id = new_external_id()
    now = utc_now()
    refund = Refund(
        external_id=external_id,
        amount=body.amount,
        status=RefundStatus.CREATED.value,
        created_date=now,
        user_external_id=body.user_external_id,
        user_email=body.user_email,
        # Worldpay echoes our reference back in its notifications (connector.md §3.3 step 7).
        gateway_transaction_id=external_id if charge.payment_provider == "worldpay" else None,
        charge_external_id=charge.external_id,
        version=0,
    )
    session.add(refund)
    await session.flush()
    session.add(_history_row(refund, now))
    await session.flush()
    await outbox.record_refund_event(session, refund, now)
    metrics.REFUNDS.labels(status=refund.status).inc()
    logger.info("refund.created", refund_id=external_id, charge_id=charge.external_id, amount=body.amount)
    return refund


async def call_gateway(reserved: ReservedRefund) -> RefundResult | GatewayError:
    """The provider's answer, or its error (an unsupported provider is one too)."""
    try:
        result: RefundResult = await gateways.refund_gateway(reserved.payment_provider).refund(
            reserved.request
        )
        return result
    except GatewayError as error:
        logger.warning("refund.gateway_error", refund_id=reserved.refund_id, message=error.message)
        return error


async def record_result(
    session: AsyncSession, refund_id: str, outcome: RefundResult | GatewayError
) -> Refund:
    """Step 8: the gateway's answer, in a transaction of its own (unless recovery, or the
    request it recovered for, recorded one already)."""
    refund = await repository.get_refund_for_update(session, refund_id)
    if refund.status != RefundStatus.CREATED:
        return refund
    if isinstance(outcome, GatewayError):
        await transition_refund(session, refund, RefundStatus.REFUND_ERROR)
        return refund
    refund.gateway_transaction_id = outcome.reference or refund.gateway_transaction_id or refund.external_id
    await transition_refund(session, refund, RefundStatus.REFUND_SUBMITTED)
    if outcome.status == GatewayRefundStatus.COMPLETE:
        await transition_refund(session, refund, RefundStatus.REFUNDED)
    return refund


async def submit_refund(
    sessionmaker: async_sessionmaker[AsyncSession], account_id: str, charge_id: str, body: RefundRequest
) -> Refund:
    """Reserve (commit, releasing the charge lock), call the gateway, record the outcome."""
    async with unit_of_work(sessionmaker) as session:
        reserved = await reserve(session, account_id, charge_id, body)
    outcome = await call_gateway(reserved)
    async with unit_of_work(sessionmaker) as session:
        refund = await record_result(session, reserved.refund_id, outcome)
    if isinstance(outcome, GatewayError):
        raise errors.RefundGatewayError(outcome.message)
    return refund


async def recover_stale_refunds(
    sessionmaker: async_sessionmaker[AsyncSession], *, stale_after_seconds: int, now: datetime | None = None
) -> list[str]:
    """Carry out ``CREATED`` refunds a crash left between reservation and gateway call.

    Claimed one at a time with ``SKIP LOCKED``; the claim stamps ``updated_date`` so another
    worker leaves the refund alone for the same delay. Returns the statuses they reached.
    """
    cutoff = (now or utc_now()) - timedelta(seconds=stale_after_seconds)
    finished: list[str] = []
    seen: set[int] = set()
    while True:
        async with unit_of_work(sessionmaker) as session:
            reserved = await _claim_stale_refund(session, cutoff, seen)
        if reserved is None:
            return finished
        logger.warning("refund.recovering", refund_id=reserved.refund_id, charge_id=reserved.charge_id)
        outcome = await call_gateway(reserved)
        async with unit_of_work(sessionmaker) as session:
            finished.append((await record_result(session, reserved.refund_id, outcome)).status)


async def _claim_stale_refund(
    session: AsyncSession, cutoff: datetime, seen: set[int]
) -> ReservedRefund | None:
    while True:
        refund = await repository.claim_stale_refund(session, cutoff, seen)
        if refund is None:
            return None
        seen.add(refund.id)
        refund.updated_date = utc_now()
        charge = await repository.charge_of_refund(session, refund)
        credential = None if charge is None else await repository.credential_for_charge(session, charge)
        if charge is not None and credential is not None:
            return _reserved(refund, charge, credential)
        # Unreachable while charges are never deleted before their refunds; keep looking.
        logger.error("refund.recovery_impossible", refund_id=refund.external_id)
