"""The three cancel flows (user, system, expiry) share one shape (connector.md §9).

Before authorisation (and during 3DS on a provider that cannot be queried: the sandbox) the
charge moves straight to the flow's final status. After authorisation the gateway must release
the money, in three phases:

1. lock the row and move to the flow's ``* CANCEL READY`` status (the intent); commit;
2. with no transaction open, ask the gateway: ``gateway.cancel``, preceded by
   ``gateway.query`` where the fact sheet asks the provider first (see below);
3. in a new transaction record ``CANCELLED`` → success, ``SUBMITTED`` → submitted, any
   error → failure status, or the final status the query found.

Worldpay and Stripe can be asked what they hold (:data:`QUERYABLE_PROVIDERS`). For them a
charge waiting for the payer's 3DS answer (``AUTHORISATION 3DS REQUIRED``: the payer may have
finished at the issuer, Stripe may have authorised without telling us yet) and, for an expiry,
an authorised one are checked first (connector.md §9.1, §9.2):

* the provider holds the payment open (authorised, awaiting 3DS) → cancelled there, as above;
* it already ended it (refused, errored, captured) → the charge is moved to match, forced where
  the graph has no edge; cancelled or expired there, or unknown there → the flow's success;
* the query fails → during 3DS the charge ends without the gateway, as upstream (a failed query
  counts as "nothing to cancel"); after authorisation the void is sent anyway.

A crash between 1 and 3 leaves ``* CANCEL READY``; :func:`recover_stale_cancels` (run by the
recovery sweep) finishes such charges by calling the gateway again: a cancel is idempotent.

While the authorisation itself is with the gateway (``AUTHORISATION READY``, ``AUTHORISATION
3DS READY``) nobody knows yet whether money will be held, so a user cancel or an expiry does
not end the charge there (upstream does, and never voids what the gateway then authorises).
It records ``charges.cancel_requested`` instead (docs/decisions.md, "Cancel during
authorisation"); then

* the authorisation, on recording its outcome, honours the request
  (:func:`complete_requested_cancel`: an authorised charge goes ``AUTHORISATION SUCCESS →
  * CANCEL READY`` and is voided; anything else ends in the flow's final status);
* if that outcome never comes (a crash), :func:`resolve_authorising` asks the gateway
  (``query``), voids whatever may be held, and ends the charge in the flow's final status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges import repository
from connector.charges.gateway_call import GatewayCall
from connector.charges.service import transition
from connector.charges.state import (
    POST_AUTHORISATION,
    TERMINABLE,
    ChargeStatus,
    is_allowed,
)
from connector.gateways import registry
from connector.gateways.base import (
    AuthorisationStatus,
    CancelStatus,
    GatewayError,
    GatewayOperation,
    GatewayOrderNotFound,
    PaymentGateway,
)
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
    #: Stored in ``charges.cancel_requested`` when the flow waits for an authorisation's outcome.
    key: str

    @property
    def statuses(self) -> frozenset[ChargeStatus]:
        return frozenset({self.lock, self.submitted, self.success, self.failure})


USER_CANCEL = CancelFlow(
    "User Cancellation",
    S.USER_CANCEL_READY,
    S.USER_CANCEL_SUBMITTED,
    S.USER_CANCELLED,
    S.USER_CANCEL_ERROR,
    "user",
)
SYSTEM_CANCEL = CancelFlow(
    "System Cancellation",
    S.SYSTEM_CANCEL_READY,
    S.SYSTEM_CANCEL_SUBMITTED,
    S.SYSTEM_CANCELLED,
    S.SYSTEM_CANCEL_ERROR,
    "system",
)
EXPIRY = CancelFlow(
    "Expiration",
    S.EXPIRE_CANCEL_READY,
    S.EXPIRE_CANCEL_SUBMITTED,
    S.EXPIRED,
    S.EXPIRE_CANCEL_FAILED,
    "expiry",
)
FLOWS = (USER_CANCEL, SYSTEM_CANCEL, EXPIRY)
#: The flows that may wait for an authorisation's outcome. A service cancel is refused (409)
#: instead: AUTHORISATION READY -> SYSTEM CANCELLED is no edge, and the service can retry.
REQUESTABLE = {USER_CANCEL.key: USER_CANCEL, EXPIRY.key: EXPIRY}
#: The authorisation is with the gateway: its outcome, and so any hold on the money, is unknown.
AUTHORISING = frozenset({S.AUTHORISATION_READY, S.AUTHORISATION_3DS_READY})
#: Providers that can say what they hold (connector.md §9: "queryable"); the sandbox cannot.
QUERYABLE_PROVIDERS = frozenset({"worldpay", "stripe"})
#: What the provider holding a payment open means: the money must be released there.
_OPEN_AT_GATEWAY = frozenset({AuthorisationStatus.AUTHORISED, AuthorisationStatus.REQUIRES_3DS})
#: The provider already ended the payment: the charge follows it (``CANCELLED``: the flow's success).
_ENDED_AT_GATEWAY = {
    AuthorisationStatus.REJECTED: S.AUTHORISATION_REJECTED,
    AuthorisationStatus.ERROR: S.AUTHORISATION_ERROR,
    AuthorisationStatus.CAPTURED: S.CAPTURED,
}
#: How often a cancel waiting for an authorisation's outcome looks again.
_POLL_SECONDS = 0.02


class CancelRefused(Exception):
    """The charge cannot take this cancel; ``reason`` says why, the caller picks the HTTP answer."""

    def __init__(self, reason: str, status: ChargeStatus) -> None:
        self.reason = reason  # "in_progress" | "not_cancellable" | "authorising"
        self.status = status
        super().__init__(reason)


@dataclass(frozen=True)
class PendingCancel(GatewayCall):
    """The gateway call (a void) to make once the intent is committed, and the flow it ends."""

    flow: CancelFlow
    #: Ask the provider what it holds before voiding (a queryable provider, see module docstring).
    query_first: bool = False
    #: The charge was waiting for the payer's 3DS answer: nothing may be held at all.
    during_authorisation: bool = False


def _needs_gateway(status: ChargeStatus) -> bool:
    return status in POST_AUTHORISATION


def _asks_gateway_first(charge: Charge, flow: CancelFlow) -> bool:
    """Whether the provider is queried before the charge is ended (connector.md §9.1, §9.2).

    ``AUTHORISATION 3DS REQUIRED`` on a queryable provider, by every flow; an authorised charge
    only by the expiry (a cancel after authorisation always voids, as upstream). The states
    whose call is in flight (AUTHORISING) never get here: they go through request_cancel /
    resolve_authorising."""
    if charge.payment_provider not in QUERYABLE_PROVIDERS:
        return False
    status = S(charge.status)
    return status == S.AUTHORISATION_3DS_REQUIRED or (flow is EXPIRY and status in POST_AUTHORISATION)


async def pending_for(session: AsyncSession, charge: Charge, flow: CancelFlow) -> PendingCancel:
    """What a gateway cancel (void) of the locked ``charge`` needs once the transaction is closed."""
    return await PendingCancel.of(session, charge, flow=flow)


def _operation(pending: PendingCancel) -> GatewayOperation:
    return pending.operation(f"connector:cancel:{pending.external_id}")


async def begin_cancel(session: AsyncSession, charge: Charge, flow: CancelFlow) -> PendingCancel | None:
    """Phase 1 on a locked charge. Returns the gateway call to make, or None when already final.

    Never called for a charge in :data:`AUTHORISING` by a requestable flow (see
    :func:`request_cancel`)."""
    status = S(charge.status)
    if status in (flow.lock, flow.submitted):
        raise CancelRefused("in_progress", status)
    if status not in TERMINABLE:
        raise CancelRefused("not_cancellable", status)
    query_first = _asks_gateway_first(charge, flow)
    if _needs_gateway(status) or query_first:
        if not is_allowed(status, flow.lock):  # AWAITING CAPTURE REQUEST -> USER CANCEL READY
            raise CancelRefused("not_cancellable", status)
        await transition(session, charge, flow.lock)
        return await PendingCancel.of(
            session,
            charge,
            flow=flow,
            query_first=query_first,
            during_authorisation=status == S.AUTHORISATION_3DS_REQUIRED,
        )
    if status in AUTHORISING:
        # The gateway may be authorising right now: ending the charge here would orphan that hold.
        raise CancelRefused("authorising", status)
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
    target = await _gateway_outcome(pending)
    async with unit_of_work(sessionmaker) as session:
        charge = await repository.lock_charge_by_id(session, pending.charge_id)
        if charge is None or charge.status != flow.lock:
            logger.warning("charge.cancel.result_discarded", charge_external_id=pending.external_id)
            return S(charge.status) if charge else S.UNDEFINED
        # The provider ended the payment otherwise (captured, refused): no edge from the lock
        # status, so the move is the forced "corrected to match gateway status" one.
        await transition(session, charge, target, force=not is_allowed(flow.lock, target))
    logger.info("charge.cancel.finished", charge_external_id=pending.external_id, status=target.value)
    return target


async def _gateway_outcome(pending: PendingCancel) -> ChargeStatus:
    """Where the gateway's answers put the charge: ended as the provider saw it, or voided."""
    flow = pending.flow
    try:
        gateway = registry.get_gateway(pending.provider)
        if pending.query_first:
            settled = await _settled_at_gateway(gateway, pending)
            if settled is not None:
                return settled
        answer = await gateway.cancel(_operation(pending))
        return flow.success if answer == CancelStatus.CANCELLED else flow.submitted
    except Exception as exc:  # gateway errors, and adapter bugs, end in the flow's failure status
        logger.warning(
            "charge.cancel.gateway_failed",
            charge_external_id=pending.external_id,
            flow=flow.name,
            error=type(exc).__name__,
        )
        return flow.failure


async def _settled_at_gateway(gateway: PaymentGateway, pending: PendingCancel) -> ChargeStatus | None:
    """The status the provider's own view gives the charge; None when it must be voided there."""
    flow = pending.flow
    try:
        seen = await gateway.query(_operation(pending))
    except GatewayOrderNotFound:
        return flow.success  # the provider holds nothing for this charge
    except GatewayError as exc:
        logger.warning(
            "charge.cancel.query_failed", charge_external_id=pending.external_id, error=exc.message
        )
        # During 3DS a failed query counts as "nothing to cancel" (upstream); after
        # authorisation money is held, so the void is sent anyway.
        return flow.success if pending.during_authorisation else None
    logger.info(
        "charge.cancel.gateway_queried",
        charge_external_id=pending.external_id,
        gateway_status=seen.value if seen else None,
    )
    if seen is None or seen in _OPEN_AT_GATEWAY:
        return None
    return _ENDED_AT_GATEWAY.get(seen, flow.success)


async def cancel_charge(
    sessionmaker: async_sessionmaker[AsyncSession],
    charge_id: str,
    flow: CancelFlow,
    *,
    account_id: str | None = None,
    wait_seconds: float = 0.0,
) -> ChargeStatus | None:
    """User or service cancel by external id. Returns the status the charge reached (still in
    :data:`AUTHORISING` when its authorisation outlived ``wait_seconds``), None if it is unknown."""
    waiting = False
    async with unit_of_work(sessionmaker) as session:
        if account_id is None:
            charge = await repository.lock_charge(session, charge_id)
        else:
            charge = await repository.lock_charge_for_account(session, account_id, charge_id)
        if charge is None:
            return None
        if charge.status in AUTHORISING and flow.key in REQUESTABLE:
            request_cancel(charge, flow)
            pending, waiting = None, True
        else:
            pending = await begin_cancel(session, charge, flow)
        status, row_id = S(charge.status), charge.id
    if waiting:
        return await _await_authorisation_outcome(sessionmaker, row_id, wait_seconds)
    if pending is None:
        return status
    return await finish_cancel(sessionmaker, pending)


def request_cancel(charge: Charge, flow: CancelFlow) -> None:
    """On a locked charge in :data:`AUTHORISING`: ask whoever records the outcome to cancel it.
    A payer's own cancel is never downgraded to an expiry."""
    if charge.cancel_requested != USER_CANCEL.key:
        charge.cancel_requested = flow.key
    logger.info("charge.cancel.requested", charge_external_id=charge.external_id, flow=flow.name)


async def _await_authorisation_outcome(
    sessionmaker: async_sessionmaker[AsyncSession], charge_id: int, wait_seconds: float
) -> ChargeStatus:
    """Poll (no lock held) until the charge leaves :data:`AUTHORISING` or ``wait_seconds`` pass."""
    deadline = asyncio.get_running_loop().time() + wait_seconds
    while True:
        async with sessionmaker() as session:
            found = await repository.status_of(session, charge_id)
        status = S(found or S.UNDEFINED)
        if status not in AUTHORISING or asyncio.get_running_loop().time() >= deadline:
            return status
        await asyncio.sleep(_POLL_SECONDS)


async def complete_requested_cancel(session: AsyncSession, charge: Charge) -> PendingCancel | None:
    """Right after an authorisation outcome was recorded on a locked charge: honour a cancel
    that was requested meanwhile. Returns the void to make once committed, if any."""
    flow = REQUESTABLE.get(charge.cancel_requested or "")
    if flow is None:
        return None
    status = S(charge.status)
    if status == S.AUTHORISATION_SUCCESS:
        await transition(session, charge, flow.lock)
        return await pending_for(session, charge, flow)
    if is_allowed(status, flow.success):  # AUTHORISATION 3DS REQUIRED: nothing is held yet
        await transition(session, charge, flow.success)
    # Rejected or failed: nothing is held and the charge is already finished.
    return None


async def resolve_authorising(
    sessionmaker: async_sessionmaker[AsyncSession], pending: PendingCancel
) -> ChargeStatus:
    """The authorisation's outcome never came back: ask the gateway, void what may be held, end
    the charge in the requested flow's final status. Safe to repeat (query and void are)."""
    operation = _operation(pending)
    try:
        gateway = registry.get_gateway(pending.provider)
        seen = await gateway.query(operation)
        # None: the provider cannot tell (or never saw it). A void of nothing is harmless.
        voided = await gateway.cancel(operation) if seen in (None, AuthorisationStatus.AUTHORISED) else None
    except Exception as exc:  # unreachable gateway: the charge stays claimed, the next round retries
        logger.warning(
            "charge.authorisation.resolve_failed",
            charge_external_id=pending.external_id,
            error=type(exc).__name__,
        )
        return S.AUTHORISATION_READY
    async with unit_of_work(sessionmaker) as session:
        charge = await repository.lock_charge_by_id(session, pending.charge_id)
        if charge is None or charge.status not in AUTHORISING:
            # The outcome arrived meanwhile, and complete_requested_cancel honoured the request.
            return S(charge.status) if charge else S.UNDEFINED
        flow = REQUESTABLE.get(charge.cancel_requested or "", pending.flow)
        if seen == AuthorisationStatus.AUTHORISED:
            # Record what happened at the gateway: authorised, then voided by this flow.
            await transition(session, charge, S.AUTHORISATION_SUCCESS)
            await transition(session, charge, flow.lock)
            await transition(
                session, charge, flow.success if voided == CancelStatus.CANCELLED else flow.submitted
            )
        else:
            await transition(session, charge, flow.success)
        final = S(charge.status)
    logger.warning(
        "charge.authorisation.resolved",
        charge_external_id=pending.external_id,
        gateway_status=seen.value if seen else None,
        status=final.value,
    )
    return final


async def void_orphan(pending: PendingCancel) -> None:
    """Void an authorisation whose charge was already ended by recovery (it answered after the
    stale window): best effort, logged; the charge itself is not touched."""
    try:
        await registry.get_gateway(pending.provider).cancel(_operation(pending))
        logger.warning("charge.authorisation.orphan_voided", charge_external_id=pending.external_id)
    except Exception as exc:
        logger.error(
            "charge.authorisation.orphan_void_failed",
            charge_external_id=pending.external_id,
            error=type(exc).__name__,
        )


async def recover_stale_cancels(
    sessionmaker: async_sessionmaker[AsyncSession], *, stale_after_seconds: int, now: datetime | None = None
) -> list[ChargeStatus]:
    """Finish ``* CANCEL READY`` charges left behind by a crash between intent and result."""
    locks = {flow.lock.value: flow for flow in FLOWS}

    async def claimed(session: AsyncSession, charge: Charge) -> PendingCancel:
        logger.warning(
            "charge.cancel.recovering", charge_external_id=charge.external_id, status=charge.status
        )
        return await pending_for(session, charge, locks[charge.status])

    return await _recover_stale(
        sessionmaker, frozenset(locks), claimed, finish_cancel, stale_after_seconds, now
    )


async def recover_stale_authorisations(
    sessionmaker: async_sessionmaker[AsyncSession], *, stale_after_seconds: int, now: datetime | None = None
) -> list[ChargeStatus]:
    """Resolve ``AUTHORISATION READY`` / ``AUTHORISATION 3DS READY`` whose outcome a crash lost:
    ask the gateway, void what may be held, end them (as the payer asked, else expired)."""

    async def claimed(session: AsyncSession, charge: Charge) -> PendingCancel:
        logger.warning("charge.authorisation.recovering", charge_external_id=charge.external_id)
        request_cancel(charge, EXPIRY)
        return await pending_for(session, charge, EXPIRY)

    statuses = frozenset(s.value for s in AUTHORISING)
    return await _recover_stale(
        sessionmaker, statuses, claimed, resolve_authorising, stale_after_seconds, now
    )


async def _recover_stale(
    sessionmaker: async_sessionmaker[AsyncSession],
    statuses: frozenset[str],
    claim: Callable[[AsyncSession, Charge], Awaitable[PendingCancel]],
    finish: Callable[[async_sessionmaker[AsyncSession], PendingCancel], Awaitable[ChargeStatus]],
    stale_after_seconds: int,
    now: datetime | None,
) -> list[ChargeStatus]:
    """Claim, one at a time, charges in ``statuses`` untouched for ``stale_after_seconds``, and
    finish each. Claiming stamps ``updated_date`` (same status), so a concurrent sweeper skips the
    charge and, if this one dies too, the next round takes it again after the same delay."""
    cutoff = (now or utc_now()) - timedelta(seconds=stale_after_seconds)
    finished: list[ChargeStatus] = []
    seen: set[int] = set()
    while True:
        async with unit_of_work(sessionmaker) as session:
            charge = await repository.claim_stale_charge(session, statuses, cutoff, seen)
            if charge is None:
                return finished
            seen.add(charge.id)
            pending = await claim(session, charge)
        finished.append(await finish(sessionmaker, pending))
