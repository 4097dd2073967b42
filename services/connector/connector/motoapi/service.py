"""MOTO API authorisation: card details sent by the service itself, with a one-time token
(connector.md §5.2, §11.4), through the same three phases as the payment pages' card
authorisation (``connector/authorisation/service.py``).

Phase 1 is one transaction: the token's charge is row-locked first, and only then is the token
read again and every token of the charge marked used, so of any number of concurrent requests
(with one token, or with several tokens of one charge) exactly one gets past it; the others
find the tokens used. In that same transaction the card number is checked (Luhn, a known card
range, prepaid, the account's card types): a rejected number moves the charge to
``AUTHORISATION REJECTED`` and an accepted one to ``AUTHORISATION READY``, so either the token
is used *and* the charge has moved, or nothing was written.

Phases 2 and 3 wait for the gateway for at most ``synchronous_auth_timeout_seconds``; an
authorised charge is queued for capture (or awaits the service's capture request) in the same
transaction as its result.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.authorisation import repository as authorisation_repository
from connector.authorisation.schemas import CardAuthorisationRequest
from connector.authorisation.service import (
    AuthorisationIntent,
    Outcome,
    authorise_at_gateway,
    intent_for,
)
from connector.charges import repository as charges_repository
from connector.charges.schemas import AuthorisationMode
from connector.charges.service import transition
from connector.charges.state import ChargeStatus, external_state
from connector.config import Settings
from connector.errors import ConnectorError
from connector.models import Charge, GatewayAccount
from connector.motoapi.errors import (
    CardNumberRejected,
    MotoAuthorisationError,
    MotoAuthorisationRejected,
    MotoAuthorisationTimeout,
    NotAMotoApiToken,
    OneTimeTokenAlreadyUsed,
    OneTimeTokenInvalid,
)
from connector.motoapi.schemas import MotoAuthoriseRequest
from connector.tokens import repository as tokens_repository
from pay_common.cards import DetectedCard, detect_brand, luhn_valid
from pay_common.db.session import unit_of_work
from pay_common.ids import new_uuid
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus

NOT_A_CARD = "The card_number is not a valid card number"
#: Where an authorised MOTO API charge is once its result is recorded (connector.md §11.4).
APPROVED = frozenset({S.CAPTURE_QUEUED, S.AWAITING_CAPTURE_REQUEST})


async def authorise(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, request: MotoAuthoriseRequest
) -> None:
    """Authorise the token's charge with the card; returns when it is approved for capture."""
    intent, card = await _claim(sessionmaker, request)
    outcome = await authorise_at_gateway(
        sessionmaker,
        intent,
        card,
        deadline=settings.synchronous_auth_timeout_seconds,
        approve_on_success=True,
    )
    logger.info(
        "charge.moto_api.authorised" if outcome.status in APPROVED else "charge.moto_api.not_authorised",
        charge_external_id=intent.external_id,
        status=outcome.status.value,
    )
    error = _error_of(outcome)
    if error is not None:
        raise error


async def _claim(
    sessionmaker: async_sessionmaker[AsyncSession], request: MotoAuthoriseRequest
) -> tuple[AuthorisationIntent, CardAuthorisationRequest]:
    refusal: ConnectorError | None = None
    async with unit_of_work(sessionmaker) as session:
        charge = await _charge_of_unused_token(session, request.one_time_token)
        await tokens_repository.use_all_of_charge(session, charge.id)
        account = await authorisation_repository.get_account(session, charge.gateway_account_id)
        assert account is not None  # charges.gateway_account_id is a foreign key
        detected, reason = await _check_card(session, account, request.card_number)
        if detected is None:
            await transition(session, charge, S.AUTHORISATION_REJECTED)
            logger.info("charge.moto_api.card_number_rejected", charge_external_id=charge.external_id)
            refusal = CardNumberRejected(reason)
        else:
            charge.gateway_transaction_id = new_uuid()
            await transition(session, charge, S.AUTHORISATION_READY)
            intent = await intent_for(session, charge)
    if refusal is not None:
        raise refusal  # after the commit: the token stays used, the charge rejected
    return intent, _card_for_gateway(request, detected)


async def _charge_of_unused_token(session: AsyncSession, token: str) -> Charge:
    """The token's charge, row-locked, if the token may still authorise it (§5.2's order)."""
    found = await tokens_repository.find(session, token)
    if found is None:
        raise OneTimeTokenInvalid()
    charge = await charges_repository.lock_charge_by_id(session, found.charge_id)
    # Read again under the lock: a concurrent request may have used it since.
    found = await tokens_repository.find(session, token)
    if charge is None or found is None:
        raise OneTimeTokenInvalid()
    if found.used:
        raise OneTimeTokenAlreadyUsed()
    if charge.authorisation_mode.lower() != AuthorisationMode.MOTO_API:
        raise NotAMotoApiToken()
    if charge.status != S.CREATED:
        # Unused, but its payment ended without an authorisation (cancelled, expired):
        # nothing can be authorised with it any more (docs/decisions.md, "MOTO API").
        raise OneTimeTokenInvalid()
    return charge


async def _check_card(
    session: AsyncSession, account: GatewayAccount, number: str
) -> tuple[DetectedCard | None, str]:
    """The card behind ``number``, or None and why it is refused (connector.md §11.4)."""
    card = detect_brand(number) if luhn_valid(number) else None
    if card is None:
        return None, NOT_A_CARD
    if account.block_prepaid_cards and card.prepaid == "PREPAID":
        return None, "Prepaid cards are not accepted"
    known_type = card.card_type if card.card_type in ("DEBIT", "CREDIT") else None
    if not await authorisation_repository.accepts_card(session, account.id, card.brand, known_type):
        suffix = f" {known_type.lower()}" if known_type else ""
        return None, f"The card type is not enabled: {card.brand}{suffix}"
    return card, ""


def _card_for_gateway(request: MotoAuthoriseRequest, card: DetectedCard | None) -> CardAuthorisationRequest:
    """What the gateway and the stored card details need, as the payment pages would send it
    (already validated: ``model_construct`` does not check again)."""
    assert card is not None
    return CardAuthorisationRequest.model_construct(
        card_number=request.card_number,
        cvc=request.cvc,
        expiry_date=request.expiry_date,
        card_brand=card.brand,
        cardholder_name=request.cardholder_name,
        address=None,
        card_type=card.card_type,
        prepaid=card.prepaid,
        corporate_card=card.corporate,
        accept_header=None,
        user_agent_header=None,
        ip_address=None,
    )


def _error_of(outcome: Outcome) -> ConnectorError | None:
    """The answer for where the charge ended (None: 204)."""
    if outcome.status in APPROVED and outcome.error is None:
        return None
    if outcome.status == S.AUTHORISATION_TIMEOUT:
        return MotoAuthorisationTimeout()
    if external_state(outcome.status).status in ("failed", "cancelled"):
        return MotoAuthorisationRejected()
    return MotoAuthorisationError()
