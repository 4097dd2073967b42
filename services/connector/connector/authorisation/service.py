"""Card authorisation and the 3DS step, in three phases (style.md §10.2).

1. *Intent* (one transaction): lock the charge row, check its status, run the Maestro/3DS
   guard and the accepted-card check, set the corporate surcharge, pre-assign a gateway
   transaction id and move to ``AUTHORISATION READY``; commit. The row lock plus the status
   change is what guarantees that two concurrent authorisations never both reach the
   gateway: the second one finds ``AUTHORISATION READY`` and answers 202.
2. *Call* the gateway with no transaction open.
3. *Result* (a new transaction): lock the row again, store the card details (first 6 /
   last 4 only) and the gateway's answer, and move to the mapped status.

Phases 2-3 run in a task; the request waits ``auth_read_timeout_seconds`` for it and
answers 202 if it is not done (the task carries on, the payment pages poll the charge).

A cancel that arrived while the gateway was working is honoured in phase 3
(``cancel.service.complete_requested_cancel``): an authorised charge is voided at once. A crash
between 1 and 3 leaves ``AUTHORISATION READY``, which the recovery sweep resolves by asking the
gateway (``cancel.service.recover_stale_authorisations``, docs/reliability.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.agreements import service as agreements_service
from connector.authorisation import repository
from connector.authorisation.card_details import corporate_surcharge, store_card_details
from connector.authorisation.errors import (
    AuthorisationDeclined,
    AuthorisationInProgress,
    CardBrandNotAccepted,
    GatewayErrorResponse,
)
from connector.authorisation.schemas import CardAuthorisationRequest, ThreeDsRequest
from connector.cancel.service import (
    EXPIRY,
    PendingCancel,
    complete_requested_cancel,
    finish_cancel,
    void_orphan,
)
from connector.capture.service import approve_by_user
from connector.charges import repository as charges_repository
from connector.charges.errors import ChargeNotFound, ChargeNotInCorrectState
from connector.charges.gateway_call import GatewayCall
from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.errors import ConnectorError
from connector.gateways import registry
from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationResult,
    AuthorisationStatus,
    BillingAddress,
    CardForAuthorisation,
    GatewayError,
    GatewayTimeout,
    GatewayUnavailable,
    PaymentGateway,
    ThreeDsResult,
)
from connector.models import Charge
from pay_common.db.session import unit_of_work
from pay_common.ids import new_uuid
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus

LOCKABLE_FOR_AUTHORISATION = frozenset(
    {S.CREATED, S.ENTERING_CARD_DETAILS, S.AUTHORISATION_USER_NOT_PRESENT_QUEUED}
)
GENERIC_AUTH_ERROR = "There was an error authorising the transaction."
GENERIC_3DS_ERROR = "There was an error when attempting to authorise the transaction."

_RESULT_STATUS = {
    AuthorisationStatus.AUTHORISED: S.AUTHORISATION_SUCCESS,
    AuthorisationStatus.REJECTED: S.AUTHORISATION_REJECTED,
    AuthorisationStatus.REQUIRES_3DS: S.AUTHORISATION_3DS_REQUIRED,
    AuthorisationStatus.CANCELLED: S.AUTHORISATION_CANCELLED,
    AuthorisationStatus.ERROR: S.AUTHORISATION_ERROR,
}

#: Tasks still running after their request answered 202; kept so they are not garbage-collected.
_background: set[asyncio.Task[Any]] = set()
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """Where the charge ended up and, for the HTTP answer, the error to raise (None: 200)."""

    status: ChargeStatus
    error: ConnectorError | None = None
    gateway_failed: bool = False


@dataclass(frozen=True)
class _Intent(GatewayCall):
    """A snapshot of the locked charge: what the gateway call needs once the transaction is closed."""

    description: str
    requires_3ds: bool = False
    send_payer_ip_address: bool = False


#: The snapshot phase 1 hands to phases 2 and 3, for entry points with a phase 1 of their own.
AuthorisationIntent = _Intent


async def _snapshot(session: AsyncSession, charge: Charge) -> _Intent:
    account = await repository.get_account(session, charge.gateway_account_id)
    return await _Intent.of(
        session,
        charge,
        description=charge.description,
        requires_3ds=bool(account and account.requires_3ds),
        send_payer_ip_address=bool(account and account.send_payer_ip_address_to_gateway),
    )


async def run_with_deadline(coroutine: Coroutine[Any, Any, T], timeout: float, charge_id: str) -> T:
    """Await ``coroutine`` for at most ``timeout`` s; past that answer 202 and let it finish alone."""
    task = asyncio.create_task(coroutine)
    _background.add(task)
    task.add_done_callback(_finished_in_background)
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        logger.info("charge.authorisation.still_running", charge_external_id=charge_id)
        raise AuthorisationInProgress(charge_id)
    return task.result()


def _finished_in_background(task: asyncio.Task[Any]) -> None:
    _background.discard(task)
    if not task.cancelled() and task.exception() is not None:
        logger.error("charge.authorisation.task_failed", error=type(task.exception()).__name__)


async def _lock_unless_in_progress(
    session: AsyncSession, charge_id: str, *, lock: ChargeStatus, lockable_from: Collection[ChargeStatus]
) -> Charge:
    """The charge, row-locked, when it may move to ``lock`` (the READY status phase 1 moves it to).

    A charge already in ``lock`` is another request's authorisation at the gateway: 202
    (:class:`AuthorisationInProgress`), so two never both reach it. Unknown is 404, any
    other status 400."""
    charge = await charges_repository.lock_charge(session, charge_id)
    if charge is None:
        raise ChargeNotFound(charge_id)
    if charge.status == lock:
        raise AuthorisationInProgress(charge_id)
    if charge.status not in lockable_from:
        raise ChargeNotInCorrectState(charge_id)
    return charge


# --- card authorisation -------------------------------------------------------------------


async def authorise(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    charge_id: str,
    card: CardAuthorisationRequest,
) -> Outcome:
    intent = await _lock_for_authorisation(sessionmaker, charge_id, card)
    return_url = f"{settings.frontend_url}/card_details/{charge_id}/3ds_required_in"
    return await run_with_deadline(
        _authorise_at_gateway(sessionmaker, intent, card, return_url),
        settings.auth_read_timeout_seconds,
        charge_id,
    )


async def _lock_for_authorisation(
    sessionmaker: async_sessionmaker[AsyncSession], charge_id: str, card: CardAuthorisationRequest
) -> _Intent:
    refusal: ConnectorError | None = None
    intent: _Intent | None = None
    async with unit_of_work(sessionmaker) as session:
        charge = await _lock_unless_in_progress(
            session, charge_id, lock=S.AUTHORISATION_READY, lockable_from=LOCKABLE_FOR_AUTHORISATION
        )
        account = await repository.get_account(session, charge.gateway_account_id)
        if account is None:  # pragma: no cover - FK guarantees it
            raise ChargeNotFound(charge_id)
        if not account.requires_3ds and await repository.brand_requires_3ds(session, card.card_brand):
            # The original aborts the charge: this account cannot take a card that needs 3DS.
            await transition(session, charge, S.AUTHORISATION_READY)
            await transition(session, charge, S.AUTHORISATION_ABORTED)
            logger.info("charge.authorisation.aborted_3ds_brand", charge_external_id=charge_id)
            refusal = ChargeNotInCorrectState(charge_id)
        elif not await repository.accepts_card(session, account.id, card.card_brand, card.card_type):
            # Nothing changes: the payer may try another card.
            raise CardBrandNotAccepted(card.card_brand)
        else:
            if charge.authorisation_mode.upper() == "WEB":
                charge.corporate_surcharge = corporate_surcharge(account, card)
            charge.gateway_transaction_id = new_uuid()
            await transition(session, charge, S.AUTHORISATION_READY)
            intent = await _snapshot(session, charge)
    if refusal is not None:
        raise refusal
    assert intent is not None
    return intent


def _gateway_request(
    intent: _Intent, card: CardAuthorisationRequest, return_url: str
) -> AuthorisationRequest:
    address = card.address
    return AuthorisationRequest(
        charge_external_id=intent.external_id,
        gateway_transaction_id=intent.gateway_transaction_id or "",
        amount=intent.amount,
        description=intent.description,
        card=CardForAuthorisation(
            card_number=card.card_number,
            cvc=card.cvc,
            expiry_date=card.expiry_date,
            cardholder_name=card.cardholder_name or "",
            card_brand=card.card_brand,
            address=BillingAddress(
                address.line1, address.line2, address.postcode, address.city, address.country
            )
            if address
            else None,
        ),
        credentials=intent.credentials,
        requires_3ds=intent.requires_3ds,
        authorisation_mode=intent.authorisation_mode,
        save_payment_instrument=intent.save_payment_instrument,
        return_url_3ds=return_url,
        ip_address=card.ip_address if intent.send_payer_ip_address else None,
        accept_header=card.accept_header,
        user_agent_header=card.user_agent_header,
    )


async def intent_for(session: AsyncSession, charge: Charge) -> AuthorisationIntent:
    """Phase 1's snapshot, for an entry point that locks the charge itself (the MOTO API)."""
    return await _snapshot(session, charge)


async def authorise_at_gateway(
    sessionmaker: async_sessionmaker[AsyncSession],
    intent: AuthorisationIntent,
    card: CardAuthorisationRequest,
    *,
    deadline: float,
    approve_on_success: bool,
) -> Outcome:
    """Phases 2 and 3 after the caller's own phase 1, waiting at most ``deadline`` s for the
    gateway (past it the charge is ``AUTHORISATION TIMEOUT``); with ``approve_on_success`` an
    authorised charge is approved for capture in the same transaction as its result."""
    return await _authorise_at_gateway(
        sessionmaker, intent, card, "", deadline=deadline, approve_on_success=approve_on_success
    )


async def _authorise_at_gateway(
    sessionmaker: async_sessionmaker[AsyncSession],
    intent: _Intent,
    card: CardAuthorisationRequest,
    return_url: str,
    *,
    deadline: float | None = None,
    approve_on_success: bool = False,
) -> Outcome:
    request = _gateway_request(intent, card, return_url)
    answer = await gateway_answer(intent, lambda gateway: gateway.authorise(request), deadline)
    return await record_authorisation(
        sessionmaker, intent, card, answer, approve_on_success=approve_on_success
    )


@dataclass(frozen=True)
class GatewayAnswer:
    """Phase 2's outcome: the gateway's result (None when it failed), the status it maps to, and
    the HTTP error that status answers with (None: 200)."""

    result: AuthorisationResult | None
    target: ChargeStatus
    error: ConnectorError | None = None


async def gateway_answer(
    intent: _Intent,
    call: Callable[[PaymentGateway], Awaitable[AuthorisationResult]],
    deadline: float | None,
) -> GatewayAnswer:
    """Phase 2: ``call`` the charge's gateway (no transaction open) and map what happened."""
    try:
        pending = call(registry.get_gateway(intent.provider))
        result = await (pending if deadline is None else asyncio.wait_for(pending, deadline))
        answer = _mapped(result)
    except GatewayTimeout as exc:
        answer = GatewayAnswer(
            None, S.AUTHORISATION_TIMEOUT, GatewayErrorResponse(exc.message, status_code=402)
        )
    except TimeoutError:  # the caller's deadline passed; the gateway clean-up sweep asks what became of it
        answer = GatewayAnswer(
            None, S.AUTHORISATION_TIMEOUT, GatewayErrorResponse(GENERIC_AUTH_ERROR, status_code=402)
        )
    except GatewayUnavailable as exc:
        answer = GatewayAnswer(
            None, S.AUTHORISATION_UNEXPECTED_ERROR, GatewayErrorResponse(exc.message, status_code=402)
        )
    except GatewayError as exc:
        answer = GatewayAnswer(
            None, S.AUTHORISATION_ERROR, GatewayErrorResponse(exc.message, status_code=400)
        )
    except Exception as exc:  # an adapter bug must still leave the charge in a final state
        logger.error("charge.authorisation.gateway_exception", error=type(exc).__name__)
        answer = GatewayAnswer(
            None, S.AUTHORISATION_UNEXPECTED_ERROR, GatewayErrorResponse(GENERIC_AUTH_ERROR, status_code=402)
        )
    logger.info(
        "charge.authorisation.gateway_answered",
        charge_external_id=intent.external_id,
        outcome=answer.target.value,
    )
    return answer


def _mapped(result: AuthorisationResult) -> GatewayAnswer:
    target = _RESULT_STATUS[result.status]
    if target == S.AUTHORISATION_REJECTED:
        return GatewayAnswer(result, target, AuthorisationDeclined())
    if target == S.AUTHORISATION_ERROR:
        return GatewayAnswer(
            result, target, GatewayErrorResponse(result.error_message or GENERIC_AUTH_ERROR, status_code=402)
        )
    return GatewayAnswer(result, target)


async def record_authorisation(
    sessionmaker: async_sessionmaker[AsyncSession],
    intent: _Intent,
    card: CardAuthorisationRequest | None,
    answer: GatewayAnswer,
    *,
    approve_on_success: bool = False,
) -> Outcome:
    """Phase 3: record the answer on the charge (``card``: what the payer typed; None when the card
    details came from a stored instrument and are on the charge already)."""
    result, target, error = answer.result, answer.target, answer.error
    async with unit_of_work(sessionmaker) as session:
        charge = await charges_repository.lock_charge_by_id(session, intent.charge_id)
        if charge is None or charge.status != S.AUTHORISATION_READY:
            current = S(charge.status) if charge else S.UNDEFINED
            return await _discard(intent, result, target, current)
        if card is not None:
            store_card_details(charge, card)
        _store_gateway_answer(charge, result, target)
        await transition(session, charge, target)
        if target == S.AUTHORISATION_SUCCESS:
            await agreements_service.store_instrument(session, charge, result)
        elif target == S.AUTHORISATION_REJECTED:
            await agreements_service.record_decline(
                session, charge, result.rejection_reason if result else None
            )
        cancel = await complete_requested_cancel(session, charge)
        if approve_on_success and cancel is None and target == S.AUTHORISATION_SUCCESS:
            # No payer confirms a MOTO API or agreement payment: it is queued for capture with its result.
            target = await approve_by_user(session, charge.external_id)
    return await _outcome(sessionmaker, intent, target, error, cancel)


async def _discard(
    intent: _Intent, result: AuthorisationResult | None, target: ChargeStatus, current: ChargeStatus
) -> Outcome:
    """The charge was ended while the gateway worked (recovery took it over after the stale
    window): the result is not ours to record, but money it holds must not stay held."""
    logger.warning(
        "charge.authorisation.result_discarded",
        charge_external_id=intent.external_id,
        status=current.value,
        outcome=target.value,
    )
    if target == S.AUTHORISATION_SUCCESS:
        transaction_id = (result.gateway_transaction_id if result else None) or intent.gateway_transaction_id
        await void_orphan(PendingCancel.from_call(intent, gateway_transaction_id=transaction_id, flow=EXPIRY))
    return Outcome(current, ChargeNotInCorrectState(intent.external_id))


async def _outcome(
    sessionmaker: async_sessionmaker[AsyncSession],
    intent: _Intent,
    target: ChargeStatus,
    error: ConnectorError | None,
    cancel: PendingCancel | None,
) -> Outcome:
    """The HTTP outcome; first the void, when a cancel requested meanwhile found it authorised."""
    if cancel is not None:
        target = await finish_cancel(sessionmaker, cancel)
        error = ChargeNotInCorrectState(intent.external_id)
    return Outcome(target, error)


def _store_gateway_answer(charge: Charge, result: AuthorisationResult | None, target: ChargeStatus) -> None:
    if result is not None and result.gateway_transaction_id:
        charge.gateway_transaction_id = result.gateway_transaction_id
    if target == S.AUTHORISATION_3DS_REQUIRED and result is not None:
        charge.requires_3ds = True
        charge.pa_request_3ds = result.pa_request_3ds
        charge.issuer_url_3ds = result.issuer_url_3ds
        charge.md_3ds = result.md_3ds
    elif target in (S.AUTHORISATION_SUCCESS, S.AUTHORISATION_REJECTED) and not charge.requires_3ds:
        charge.requires_3ds = False


# --- 3DS ----------------------------------------------------------------------------------


async def authorise_3ds(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    charge_id: str,
    request: ThreeDsRequest,
) -> Outcome:
    async with unit_of_work(sessionmaker) as session:
        charge = await _lock_unless_in_progress(
            session, charge_id, lock=S.AUTHORISATION_3DS_READY, lockable_from={S.AUTHORISATION_3DS_REQUIRED}
        )
        if request.three_ds_version:
            charge.version_3ds = request.three_ds_version
        await transition(session, charge, S.AUTHORISATION_3DS_READY)
        intent = await _snapshot(session, charge)
    return await run_with_deadline(
        _authorise_3ds_at_gateway(sessionmaker, settings, intent, request),
        settings.auth_read_timeout_seconds,
        charge_id,
    )


async def _authorise_3ds_at_gateway(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    intent: _Intent,
    request: ThreeDsRequest,
) -> Outcome:
    result: AuthorisationResult | None = None
    try:
        gateway = registry.get_gateway(intent.provider)
        result = await gateway.authorise_3ds(
            ThreeDsResult(
                charge_external_id=intent.external_id,
                gateway_transaction_id=intent.gateway_transaction_id,
                pa_response=request.pa_response,
                credentials=intent.credentials,
                auth_3ds_result=request.auth_3ds_result,
                amount=intent.amount,
                authorisation_mode=intent.authorisation_mode,
                save_payment_instrument=intent.save_payment_instrument,
            )
        )
        target = _RESULT_STATUS[result.status]
    except Exception as exc:
        logger.warning("charge.authorisation_3ds.gateway_failed", error=type(exc).__name__)
        target = S.AUTHORISATION_ERROR
    async with unit_of_work(sessionmaker) as session:
        charge = await charges_repository.lock_charge_by_id(session, intent.charge_id)
        if charge is None or charge.status != S.AUTHORISATION_3DS_READY:
            current = S(charge.status) if charge else S.UNDEFINED
            return await _discard(intent, result, target, current)
        if target == S.AUTHORISATION_3DS_REQUIRED:
            challenges = await charges_repository.count_events(
                session, charge.id, frozenset({S.AUTHORISATION_3DS_REQUIRED})
            )
            if challenges >= settings.maximum_3ds_attempts:
                target = S.AUTHORISATION_REJECTED
        _store_gateway_answer(charge, result, target)
        await transition(session, charge, target)
        if target == S.AUTHORISATION_SUCCESS:
            await agreements_service.store_instrument(session, charge, result)
        cancel = await complete_requested_cancel(session, charge)
    outcome = await _outcome(sessionmaker, intent, target, None, cancel)
    return Outcome(outcome.status, outcome.error, gateway_failed=result is None)
