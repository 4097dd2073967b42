"""The three cancel flows (user, system, expiry) share one shape (connector.md §9).

Before authorisation (and during 3DS on a provider that cannot be queried, which is every
provider we have) the charge moves straight to the flow's final status. After authorisation
the gateway must release the money, in three phases:

1. lock the row and move to the flow's ``* CANCEL READY`` status (the intent); commit;
2. call ``gateway.cancel`` with no transaction open;
3. in a new transaction record ``CANCELLED`` → success, ``SUBMITTED`` → submitted, any
   error → failure status.

A crash between 1 and 3 leaves ``* CANCEL READY``; :func:`recover_stale_cancels` (run by the
expiry sweep) finishes such charges by calling the gateway again: a cancel is idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges import repository
from connector.charges.service import transition
from connector.charges.state import (
    POST_AUTHORISATION,
    TERMINABLE,
    ChargeStatus,
    is_allowed,
)
from connector.gateways import registry
from connector.gateways.base import CancelStatus, GatewayOperation
from connector.models import Charge
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus


@dataclass(frozen=True)
class CancelFlow:
    name: str
    lock: ChargeStatus
    submitted: ChargeStatus
    success: ChargeStatus
    failure: ChargeStatus


USER_CANCEL = CancelFlow(
    "User Cancellation", S.USER_CANCEL_READY, S.USER_CANCEL_SUBMITTED, S.USER_CANCELLED, S.USER_CANCEL_ERROR
)
SYSTEM_CANCEL = CancelFlow(
    "System Cancellation",
    S.SYSTEM_CANCEL_READY,
    S.SYSTEM_CANCEL_SUBMITTED,
    S.SYSTEM_CANCELLED,
    S.SYSTEM_CANCEL_ERROR,
)
EXPIRY = CancelFlow(
    "Expiration", S.EXPIRE_CANCEL_READY, S.EXPIRE_CANCEL_SUBMITTED, S.EXPIRED, S.EXPIRE_CANCEL_FAILED
)
FLOWS = (USER_CANCEL, SYSTEM_CANCEL, EXPIRY)


class CancelRefused(Exception):
    """The charge cannot take this cancel; ``reason`` says why, the caller picks the HTTP answer."""

    def __init__(self, reason: str, status: ChargeStatus) -> None:
        self.reason = reason  # "in_progress" | "not_cancellable" | "authorising"
        self.status = status
        super().__init__(reason)


@dataclass(frozen=True)
class PendingCancel:
    """The gateway call to make once the intent is committed."""

    charge_id: int
    external_id: str
    provider: str
    gateway_transaction_id: str | None
    amount: int
    credentials: dict[str, Any]
    flow: CancelFlow


def _needs_gateway(status: ChargeStatus) -> bool:
    # DURING_AUTHORISATION would need a gateway query first (Worldpay/Stripe); the sandbox cannot
    # be queried, so, as in the original, those charges end without asking the gateway.
    return status in POST_AUTHORISATION


async def begin_cancel(session: AsyncSession, charge: Charge, flow: CancelFlow) -> PendingCancel | None:
    """Phase 1 on a locked charge. Returns the gateway call to make, or None when already final."""
    status = S(charge.status)
    if status in (flow.lock, flow.submitted):
        raise CancelRefused("in_progress", status)
    if status not in TERMINABLE:
        raise CancelRefused("not_cancellable", status)
    if _needs_gateway(status):
        if not is_allowed(status, flow.lock):  # AWAITING CAPTURE REQUEST -> USER CANCEL READY
            raise CancelRefused("not_cancellable", status)
        await transition(session, charge, flow.lock)
        return PendingCancel(
            charge_id=charge.id,
            external_id=charge.external_id,
            provider=charge.payment_provider,
            gateway_transaction_id=charge.gateway_transaction_id,
            amount=charge.total_amount,
            credentials=await repository.credentials_for(session, charge),
            flow=flow,
        )
    if not is_allowed(status, flow.success):
        # AUTHORISATION READY -> SYSTEM CANCELLED is not an edge: the authorisation must finish first.
        raise CancelRefused("authorising" if status == S.AUTHORISATION_READY else "not_cancellable", status)
    await transition(session, charge, flow.success)
    return None


async def finish_cancel(
    sessionmaker: async_sessionmaker[AsyncSession], pending: PendingCancel
) -> ChargeStatus:
    """Phases 2 and 3: ask the gateway, then record its answer if the charge still waits for it."""
    flow = pending.flow
    try:
        gateway = registry.get_gateway(pending.provider)
        answer = await gateway.cancel(
            GatewayOperation(
                charge_external_id=pending.external_id,
                gateway_transaction_id=pending.gateway_transaction_id,
                amount=pending.amount,
                credentials=pending.credentials,
                idempotency_key=f"connector:cancel:{pending.external_id}",
            )
        )
        target = flow.success if answer == CancelStatus.CANCELLED else flow.submitted
    except Exception as exc:  # gateway errors, and adapter bugs, end in the flow's failure status
        logger.warning(
            "charge.cancel.gateway_failed",
            charge_external_id=pending.external_id,
            flow=flow.name,
            error=type(exc).__name__,
        )
        target = flow.failure
    async with unit_of_work(sessionmaker) as session:
        charge = await repository.lock_charge_by_id(session, pending.charge_id)
        if charge is None or charge.status != flow.lock:
            logger.warning("charge.cancel.result_discarded", charge_external_id=pending.external_id)
            return S(charge.status) if charge else S.UNDEFINED
        await transition(session, charge, target)
    logger.info("charge.cancel.finished", charge_external_id=pending.external_id, status=target.value)
    return target


async def cancel_charge(
    sessionmaker: async_sessionmaker[AsyncSession],
    charge_id: str,
    flow: CancelFlow,
    *,
    account_id: str | None = None,
) -> ChargeStatus | None:
    """User or service cancel by external id. Returns the final status, None if the charge is unknown."""
    async with unit_of_work(sessionmaker) as session:
        if account_id is None:
            charge = await repository.lock_charge(session, charge_id)
        else:
            charge = await repository.lock_charge_for_account(session, account_id, charge_id)
        if charge is None:
            return None
        pending = await begin_cancel(session, charge, flow)
        status = S(charge.status)
    if pending is None:
        return status
    return await finish_cancel(sessionmaker, pending)


async def recover_stale_cancels(
    sessionmaker: async_sessionmaker[AsyncSession], *, stale_after_seconds: int, now: datetime | None = None
) -> list[ChargeStatus]:
    """Finish ``* CANCEL READY`` charges left behind by a crash between intent and result."""
    cutoff = (now or utc_now()) - timedelta(seconds=stale_after_seconds)
    finished: list[ChargeStatus] = []
    while True:
        pending = await _claim_stale_cancel(sessionmaker, cutoff)
        if pending is None:
            return finished
        logger.warning(
            "charge.cancel.recovering", charge_external_id=pending.external_id, flow=pending.flow.name
        )
        finished.append(await finish_cancel(sessionmaker, pending))


async def _claim_stale_cancel(
    sessionmaker: async_sessionmaker[AsyncSession], cutoff: datetime
) -> PendingCancel | None:
    locks = {flow.lock.value: flow for flow in FLOWS}
    async with unit_of_work(sessionmaker) as session:
        charge = await session.scalar(
            select(Charge)
            .where(Charge.status.in_(list(locks)), Charge.updated_date <= cutoff)
            .order_by(Charge.updated_date)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if charge is None:
            return None
        # Claim it: a concurrent sweeper no longer sees it as stale (the status stays the same).
        await session.execute(update(Charge).where(Charge.id == charge.id).values(updated_date=utc_now()))
        return PendingCancel(
            charge_id=charge.id,
            external_id=charge.external_id,
            provider=charge.payment_provider,
            gateway_transaction_id=charge.gateway_transaction_id,
            amount=charge.total_amount,
            credentials=await repository.credentials_for(session, charge),
            flow=locks[charge.status],
        )
