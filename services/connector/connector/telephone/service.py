"""Telephone payment notifications (connector.md §10): record a payment taken outside Pay.

Idempotent on ``provider_id`` per account: a repeat answers 200 with the stored charge and
ignores the new body. A unique index (migration 0003) makes that hold under concurrent
notifications too: the loser of an insert race reads the winner's charge.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts.errors import GatewayAccountNotFound
from connector.accounts.service import get_account
from connector.charges.service import format_instant, transition
from connector.charges.state import EXTERNAL_STATES, ChargeStatus
from connector.errors import BadRequest, Forbidden, Unprocessable
from connector.models import Charge, GatewayAccount, GatewayAccountCredential
from connector.search.schemas import parse_zoned_datetime
from connector.telephone.schemas import TelephoneChargeRequest
from pay_common.ids import new_external_id
from pay_common.logging import get_logger

logger = get_logger(__name__)

METADATA_MAX_LENGTH = 50
OUTCOME_STATUS = {
    None: ChargeStatus.CAPTURE_SUBMITTED,
    "P0010": ChargeStatus.AUTHORISATION_REJECTED,
    "P0030": ChargeStatus.AUTHORISATION_ERROR,
    "P0050": ChargeStatus.AUTHORISATION_ERROR,
}
MESSAGE_FOR_CODE = {state.code: state.message for state in EXTERNAL_STATES if state.code}


class TelephoneNotAllowed(Forbidden):
    error_identifier = "TELEPHONE_PAYMENT_NOTIFICATIONS_NOT_ALLOWED"


class ZeroAmountNotAllowed(Unprocessable):
    error_identifier = "ZERO_AMOUNT_NOT_ALLOWED"


class AccountNotLinked(BadRequest):
    error_identifier = "ACCOUNT_NOT_LINKED_WITH_PSP"


async def existing_charge(session: AsyncSession, account_id: int, provider_id: str) -> Charge | None:
    return await session.scalar(
        select(Charge).where(Charge.gateway_account_id == account_id, Charge.provider_id == provider_id)
    )


async def current_credential(session: AsyncSession, account_id: int) -> GatewayAccountCredential:
    """The only credential, else the ACTIVE one that became active last (connector.md §4.2 step 5)."""
    credentials = (
        await session.scalars(
            select(GatewayAccountCredential).where(GatewayAccountCredential.gateway_account_id == account_id)
        )
    ).all()
    if len(credentials) == 1:
        return credentials[0]
    active = [c for c in credentials if c.state == "ACTIVE"]
    if not active:
        raise AccountNotLinked("Payment provider details are not configured on this account")
    return max(active, key=lambda c: (c.active_start_date is not None, c.active_start_date or c.created_at))


def stored_outcome(request: TelephoneChargeRequest) -> dict[str, Any]:
    """What we keep of the notification; strings longer than 50 characters are cut (§10.4)."""
    raw = request.raw or {}
    supplemental = request.payment_outcome.supplemental or {}
    values: dict[str, Any] = {
        "processor_id": request.processor_id,
        "status": request.payment_outcome.status,
        "code": request.payment_outcome.code,
        "created_date": raw.get("created_date"),
        "authorised_date": raw.get("authorised_date"),
        "auth_code": request.auth_code,
        "telephone_number": request.telephone_number,
        "error_code": supplemental.get("error_code"),
        "error_message": supplemental.get("error_message"),
    }
    stored = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, str) and len(value) > METADATA_MAX_LENGTH:
            logger.info("telephone.value_truncated", field=key, length=len(value))
            value = value[:METADATA_MAX_LENGTH]
        stored[key] = value
    return stored


def _new_charge(
    account: GatewayAccount, credential: GatewayAccountCredential, request: TelephoneChargeRequest
) -> Charge:
    return Charge(
        external_id=new_external_id(),
        amount=request.amount,
        status=ChargeStatus.UNDEFINED.value,
        gateway_transaction_id=request.provider_id,
        provider_id=request.provider_id,
        gateway_account_id=account.id,
        gateway_account_credential_id=credential.id,
        payment_provider=credential.payment_provider,
        description=request.description,
        reference=request.reference,
        email=request.email_address,
        language="en",
        delayed_capture=False,
        moto=False,
        source="CARD_EXTERNAL_TELEPHONE",
        authorisation_mode="EXTERNAL",
        service_id=account.service_id,
        card_brand=request.card_type,
        cardholder_name=request.name_on_card,
        expiry_date=request.card_expiry,
        last_digits_card_number=request.last_four_digits,
        first_digits_card_number=request.first_six_digits,
        telephone_details=stored_outcome(request),
    )


async def record_telephone_charge(
    session: AsyncSession, account_id: str, request: TelephoneChargeRequest
) -> tuple[Charge, bool]:
    """The charge for this notification and whether it was created now (201) or found (200)."""
    account = await get_account(session, account_id, not_found=GatewayAccountNotFound)
    if not account.allow_telephone_payment_notifications:
        raise TelephoneNotAllowed("Telephone payment notifications are not enabled for this gateway account")
    found = await existing_charge(session, account.id, request.provider_id)
    if found is not None:
        return found, False
    if request.amount == 0 and not account.allow_zero_amount:
        raise ZeroAmountNotAllowed("Zero amount charges are not enabled for this gateway account")
    credential = await current_credential(session, account.id)
    charge = _new_charge(account, credential, request)
    try:
        async with session.begin_nested():
            session.add(charge)
            await session.flush()
    except IntegrityError:
        # A concurrent notification with the same provider_id won the insert.
        winner = await existing_charge(session, account.id, request.provider_id)
        if winner is None:
            raise
        return winner, False
    await transition(session, charge, ChargeStatus.PAYMENT_NOTIFICATION_CREATED)
    await transition(session, charge, OUTCOME_STATUS[request.payment_outcome.code])
    logger.info("telephone.charge_recorded", charge_id=charge.external_id, status=charge.status)
    return charge, True


def _stored_date(value: object, fallback: datetime | None) -> str | None:
    parsed = parse_zoned_datetime(value) if isinstance(value, str) else None
    chosen = parsed or fallback
    return format_instant(chosen) if chosen else None


def _without_nulls(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def telephone_json(charge: Charge) -> dict[str, Any]:
    """The reduced charge response of §10.5; ``state`` comes from the stored outcome."""
    details = charge.telephone_details or {}
    code = details.get("code")
    supplemental = _without_nulls(
        {"error_code": details.get("error_code"), "error_message": details.get("error_message")}
    )
    if details.get("status") == "success":
        state: dict[str, Any] = {"status": "success", "finished": True}
    else:
        state = {
            "status": "failed",
            "finished": True,
            "code": code,
            "message": MESSAGE_FOR_CODE.get(str(code)),
        }
    card = _without_nulls(
        {
            "last_digits_card_number": charge.last_digits_card_number,
            "first_digits_card_number": charge.first_digits_card_number,
            "cardholder_name": charge.cardholder_name,
            "expiry_date": charge.expiry_date,
            "card_brand": charge.card_brand,
        }
    )
    return _without_nulls(
        {
            "charge_id": charge.external_id,
            "amount": charge.amount,
            "reference": charge.reference,
            "description": charge.description,
            "provider_id": charge.provider_id,
            "processor_id": details.get("processor_id"),
            "auth_code": details.get("auth_code"),
            "telephone_number": details.get("telephone_number"),
            "email": charge.email,
            "card_details": card or None,
            "created_date": _stored_date(details.get("created_date"), charge.created_date),
            "authorised_date": _stored_date(details.get("authorised_date"), None),
            "authorisation_mode": "external",
            "delayed_capture": False,
            "payment_outcome": _without_nulls(
                {"status": details.get("status"), "code": code, "supplemental": supplemental or None}
            ),
            "state": _without_nulls(state),
            "links": [],
        }
    )
