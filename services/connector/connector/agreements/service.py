"""Agreements: create, cancel, read, search; and the set-up payment's instrument (connector.md §11).

Statuses move only through :mod:`connector.agreements.state`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.agreements import errors, repository
from connector.agreements.schemas import AgreementCancelRequest, AgreementCreateRequest, agreement_view
from connector.agreements.state import AgreementStatus, InstrumentStatus, move_agreement, move_instrument
from connector.errors import NotFound
from connector.events import outbox
from connector.gateways.base import AuthorisationResult
from connector.gateways.rejection import can_retry
from connector.models import Agreement, Charge, GatewayAccount, PaymentInstrument
from pay_common.db.base import utc_now
from pay_common.ids import new_external_id
from pay_common.logging import get_logger

logger = get_logger(__name__)


async def create_agreement(
    session: AsyncSession, account: GatewayAccount, request: AgreementCreateRequest
) -> Agreement:
    if not account.recurring_enabled:
        raise errors.recurring_not_allowed()
    agreement = Agreement(
        external_id=new_external_id(),
        gateway_account_id=account.id,
        service_id=account.service_id,
        live=account.type == "LIVE",
        reference=request.reference,
        description=request.description,
        user_identifier=request.user_identifier,
        status=AgreementStatus.CREATED.value,
    )
    session.add(agreement)
    await session.flush()
    await session.refresh(agreement)
    await outbox.record_agreement_event(
        session,
        agreement,
        "AGREEMENT_CREATED",
        agreement.created_date,
        {
            "reference": agreement.reference,
            "description": agreement.description,
            "user_identifier": agreement.user_identifier,
        },
    )
    logger.info("agreement.created", agreement_id=agreement.external_id, account_id=account.id)
    return agreement


async def cancel_agreement(
    session: AsyncSession, account: GatewayAccount, agreement_id: str, request: AgreementCancelRequest | None
) -> None:
    """§11.1: only an agreement whose instrument is ACTIVE can be cancelled; both end CANCELLED."""
    agreement = await repository.agreement_of_account(session, account.id, agreement_id, lock=True)
    if agreement is None:
        raise errors.agreement_not_found(agreement_id)
    instrument = await repository.current_instrument(session, agreement)
    if instrument is None or instrument.status != InstrumentStatus.ACTIVE:
        raise errors.agreement_not_active()
    move_instrument(instrument, InstrumentStatus.CANCELLED)
    agreement.cancelled_date = utc_now()
    by_user = request is not None and request.user_external_id and request.user_email
    agreement.cancelled_by = "user" if by_user else "service"
    await move_agreement(
        session,
        agreement,
        AgreementStatus.CANCELLED,
        "AGREEMENT_CANCELLED_BY_USER" if by_user else "AGREEMENT_CANCELLED_BY_SERVICE",
        {"user_email": request.user_email} if by_user and request is not None else None,
    )
    logger.info("agreement.cancelled", agreement_id=agreement_id, cancelled_by=agreement.cancelled_by)


async def get_agreement(session: AsyncSession, account: GatewayAccount, agreement_id: str) -> dict[str, Any]:
    agreement = await repository.agreement_of_account(session, account.id, agreement_id)
    if agreement is None:
        raise errors.agreement_not_found(agreement_id)
    instrument = await repository.current_instrument(session, agreement)
    return agreement_view(agreement, instrument)


async def search_agreements(
    session: AsyncSession,
    account: GatewayAccount,
    *,
    status: AgreementStatus | None,
    reference: str | None,
    page: int,
    display_size: int,
) -> dict[str, Any]:
    """One page, as ledger answers: a page past the last (other than the first) is a 404."""
    total, rows = await repository.search_agreements(
        session,
        account.id,
        status=status.value if status else None,
        reference=reference,
        page=page,
        display_size=display_size,
    )
    if page > 1 and (page - 1) * display_size >= total:
        raise NotFound("Page not found", error_identifier="PAGE_NOT_FOUND")
    instruments = await repository.instruments_by_ids(
        session, [row.payment_instrument_id for row in rows if row.payment_instrument_id is not None]
    )
    results = [
        agreement_view(row, instruments.get(row.payment_instrument_id) if row.payment_instrument_id else None)
        for row in rows
    ]
    return {"total": total, "count": len(results), "page": page, "results": results}


async def agreement_for_charge(session: AsyncSession, account_id: int, agreement_id: str) -> Agreement:
    """Create-charge step 11: the agreement must belong to the account (400 otherwise)."""
    agreement = await repository.agreement_of_account(session, account_id, agreement_id)
    if agreement is None:
        raise errors.charge_agreement_not_found(agreement_id)
    return agreement


async def active_instrument_for_charge(session: AsyncSession, agreement: Agreement) -> PaymentInstrument:
    """Create-charge step 13: an agreement payment pays with the agreement's ACTIVE instrument
    (a cancelled or inactive agreement refuses payments: 400 ``AGREEMENT_NOT_ACTIVE``)."""
    instrument = await repository.current_instrument(session, agreement)
    if instrument is None:
        raise errors.charge_agreement_without_instrument(agreement.external_id)
    if instrument.status != InstrumentStatus.ACTIVE or agreement.status != AgreementStatus.ACTIVE:
        raise errors.charge_agreement_instrument_not_active(
            agreement.external_id, instrument.external_id, instrument.status
        )
    return instrument


async def instrument_for_payment(session: AsyncSession, charge: Charge) -> PaymentInstrument | None:
    """The ACTIVE instrument an agreement payment is authorised with; None when the agreement was
    cancelled or its instrument ended after the payment was queued."""
    if charge.agreement_external_id is None:
        return None
    agreement = await repository.agreement_of_account(
        session, charge.gateway_account_id, charge.agreement_external_id
    )
    if (
        agreement is None
        or agreement.status != AgreementStatus.ACTIVE
        or agreement.payment_instrument_id is None
    ):
        return None
    instrument = await repository.instrument_by_id(session, agreement.payment_instrument_id)
    return instrument if instrument is not None and instrument.status == InstrumentStatus.ACTIVE else None


def take_card_details_from(charge: Charge, instrument: PaymentInstrument) -> None:
    """An agreement payment shows the card it was paid with: the instrument's displayable details."""
    charge.card_brand = instrument.card_brand
    charge.card_type = instrument.card_type
    charge.first_digits_card_number = instrument.first_digits_card_number
    charge.last_digits_card_number = instrument.last_digits_card_number
    charge.expiry_date = instrument.expiry_date
    charge.cardholder_name = instrument.cardholder_name
    address = instrument.billing_address or {}
    charge.address_line1 = address.get("line1")
    charge.address_line2 = address.get("line2")
    charge.address_postcode = address.get("postcode")
    charge.address_city = address.get("city")
    charge.address_county = address.get("county")
    charge.address_country = address.get("country")


async def record_decline(session: AsyncSession, charge: Charge, reason: str | None) -> None:
    """§8.2 step 4 / §11.2: a declined agreement payment stores ``can_retry``; a decline that
    cannot be retried ends the instrument, and the agreement with it (INACTIVE)."""
    if charge.authorisation_mode.upper() != "AGREEMENT":
        return
    charge.can_retry = can_retry(reason)
    if charge.can_retry or charge.agreement_external_id is None:
        return
    agreement = await repository.agreement_of_account(
        session, charge.gateway_account_id, charge.agreement_external_id, lock=True
    )
    if agreement is None or agreement.payment_instrument_id is None:
        return
    instrument = await repository.instrument_by_id(session, agreement.payment_instrument_id)
    if instrument is not None and instrument.status == InstrumentStatus.ACTIVE:
        move_instrument(instrument, InstrumentStatus.INACTIVE)
    if agreement.status == AgreementStatus.ACTIVE:
        await move_agreement(
            session, agreement, AgreementStatus.INACTIVE, "AGREEMENT_INACTIVATED", {"reason": reason}
        )
    logger.info(
        "agreement.inactivated",
        agreement_id=agreement.external_id,
        charge_external_id=charge.external_id,
        reason=reason,
    )


async def store_instrument(session: AsyncSession, charge: Charge, result: AuthorisationResult | None) -> None:
    """§11.2: a set-up payment authorised: keep a copy of its displayable card details and the
    gateway's recurring token (never the card number or CVC), CREATED until capture approval."""
    if not charge.save_payment_instrument_to_agreement or charge.agreement_external_id is None:
        return
    agreement = await repository.agreement_of_account(
        session, charge.gateway_account_id, charge.agreement_external_id
    )
    if agreement is None or await repository.instrument_of_charge(session, charge.id) is not None:
        return
    session.add(
        PaymentInstrument(
            external_id=new_external_id(),
            agreement_id=agreement.id,
            charge_id=charge.id,
            status=InstrumentStatus.CREATED.value,
            recurring_auth_token=dict(result.recurring_token or {}) if result else {},
            card_brand=charge.card_brand,
            card_type=charge.card_type,
            first_digits_card_number=charge.first_digits_card_number,
            last_digits_card_number=charge.last_digits_card_number,
            expiry_date=charge.expiry_date,
            cardholder_name=charge.cardholder_name,
            billing_address=_billing_address(charge),
            start_date=utc_now(),
        )
    )
    await session.flush()
    logger.info("payment_instrument.created", charge_external_id=charge.external_id)


def _billing_address(charge: Charge) -> dict[str, Any] | None:
    if charge.address_line1 is None and charge.address_postcode is None:
        return None
    return {
        "line1": charge.address_line1,
        "line2": charge.address_line2,
        "postcode": charge.address_postcode,
        "city": charge.address_city,
        "county": charge.address_county,
        "country": charge.address_country,
    }


async def activate_instrument(session: AsyncSession, charge: Charge) -> None:
    """§8.4 / §11.2: the set-up payment was approved for capture: its instrument (when it holds a
    token) and the agreement turn ACTIVE, and the agreement pays with that instrument from now on."""
    if not charge.save_payment_instrument_to_agreement:
        return
    instrument = await repository.instrument_of_charge(session, charge.id, lock=True)
    if (
        instrument is None
        or instrument.status != InstrumentStatus.CREATED
        or not instrument.recurring_auth_token
    ):
        return
    agreement = await repository.agreement_by_id(session, instrument.agreement_id, lock=True)
    if agreement is None:  # pragma: no cover - the instrument's FK guarantees it
        return
    if agreement.payment_instrument_id is not None:
        previous = await repository.instrument_by_id(session, agreement.payment_instrument_id)
        if previous is not None and previous.status != InstrumentStatus.CANCELLED:
            move_instrument(previous, InstrumentStatus.CANCELLED)  # replaced (§11.2)
    move_instrument(instrument, InstrumentStatus.ACTIVE)
    if agreement.status != AgreementStatus.ACTIVE:
        await move_agreement(  # a cancelled one is reactivated
            session,
            agreement,
            AgreementStatus.ACTIVE,
            "AGREEMENT_SETUP",
            {"payment_instrument_external_id": instrument.external_id},
        )
        agreement.cancelled_date = None
        agreement.cancelled_by = None
    agreement.payment_instrument_id = instrument.id
    logger.info("payment_instrument.activated", charge_external_id=charge.external_id)
