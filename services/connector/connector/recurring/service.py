"""Authorise an agreement payment with its stored instrument, no payer present (connector.md §11.3).

The charge was moved to ``AUTHORISATION USER NOT PRESENT QUEUED`` by the create request, and that
transition deferred this job in the same transaction (``tasks.triggers``). The job runs the card
authorisation's three phases (``authorisation.service``):

1. one transaction: lock the charge, find the agreement's ACTIVE instrument, copy its displayable
   card details onto the charge and move to ``AUTHORISATION READY`` (an agreement cancelled after
   the payment was queued declines it here, ``can_retry`` false, without asking the gateway);
2. ask the gateway with the instrument's recurring token, no transaction open;
3. record the answer: an authorised payment is queued for capture in the same transaction, a
   decline stores ``can_retry`` and, when it cannot be retried, ends the instrument and the agreement.

A retried job finds the charge past ``QUEUED`` and does nothing; a crash between 1 and 3 leaves
``AUTHORISATION READY``, which the recovery sweep resolves by asking the gateway.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.agreements import service as agreements_service
from connector.authorisation.service import (
    AuthorisationIntent,
    GatewayAnswer,
    gateway_answer,
    intent_for,
    record_authorisation,
)
from connector.charges import repository as charges_repository
from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways.base import StoredInstrument, UserNotPresentRequest
from connector.models import Charge, PaymentInstrument
from pay_common.db.session import unit_of_work
from pay_common.ids import new_uuid
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus


async def queue_agreement_payment(session: AsyncSession, charge: Charge) -> None:
    """After the create request's 201 body: an agreement payment is queued for authorisation
    (``CREATED → AUTHORISATION USER NOT PRESENT QUEUED``, which defers the job), in the create's
    transaction. ``charge`` is the view's transient copy: the row is loaded to move it."""
    if charge.authorisation_mode.upper() != "AGREEMENT":
        return
    stored = await charges_repository.lock_charge(session, charge.external_id)
    if stored is not None and stored.status == S.CREATED:
        await transition(session, stored, S.AUTHORISATION_USER_NOT_PRESENT_QUEUED)


async def authorise_with_user_not_present(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, charge_external_id: str
) -> ChargeStatus | None:
    """Run the charge's user-not-present authorisation; where it ended (None: nothing to do)."""
    claimed = await _claim(sessionmaker, charge_external_id)
    if claimed is None:
        return None
    intent, request = claimed
    answer = await gateway_answer(
        intent,
        lambda gateway: gateway.authorise_user_not_present(request),
        settings.synchronous_auth_timeout_seconds,
    )
    if answer.target == S.AUTHORISATION_3DS_REQUIRED:
        # Whatever the provider: no payer is there to take a challenge, so it cannot be paid this way.
        answer = GatewayAnswer(answer.result, S.AUTHORISATION_ERROR)
    outcome = await record_authorisation(sessionmaker, intent, None, answer, approve_on_success=True)
    logger.info(
        "charge.agreement_payment.authorisation_done",
        charge_external_id=charge_external_id,
        status=outcome.status.value,
    )
    return outcome.status


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], charge_external_id: str
) -> tuple[AuthorisationIntent, UserNotPresentRequest] | None:
    async with unit_of_work(sessionmaker) as session:
        charge = await charges_repository.lock_charge(session, charge_external_id)
        if charge is None or charge.status != S.AUTHORISATION_USER_NOT_PRESENT_QUEUED:
            logger.info(
                "charge.agreement_payment.not_queued",
                charge_external_id=charge_external_id,
                status=charge.status if charge else None,
            )
            return None
        instrument = await agreements_service.instrument_for_payment(session, charge)
        charge.gateway_transaction_id = new_uuid()
        await transition(session, charge, S.AUTHORISATION_READY)
        if instrument is None:
            await _decline_without_instrument(session, charge)
            return None
        agreements_service.take_card_details_from(charge, instrument)
        intent = await intent_for(session, charge)
    return intent, _request(intent, charge, instrument)


async def _decline_without_instrument(session: AsyncSession, charge: Charge) -> None:
    """The agreement was cancelled (or its instrument ended) while the payment was queued:
    nothing can pay it, and trying again with the same agreement will not change that."""
    charge.can_retry = False
    await transition(session, charge, S.AUTHORISATION_REJECTED)
    logger.info("charge.agreement_payment.no_active_instrument", charge_external_id=charge.external_id)


def _request(
    intent: AuthorisationIntent, charge: Charge, instrument: PaymentInstrument
) -> UserNotPresentRequest:
    return UserNotPresentRequest(
        charge_external_id=intent.external_id,
        gateway_transaction_id=intent.gateway_transaction_id or "",
        amount=intent.amount,
        description=intent.description,
        instrument=StoredInstrument(
            recurring_token=dict(instrument.recurring_auth_token or {}),
            card_brand=instrument.card_brand,
            first_digits=instrument.first_digits_card_number,
            last_digits=instrument.last_digits_card_number,
            expiry_date=instrument.expiry_date,
            cardholder_name=instrument.cardholder_name,
        ),
        credentials=intent.credentials,
        agreement_external_id=charge.agreement_external_id,
    )
