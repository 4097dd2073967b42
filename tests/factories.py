"""Typed helpers that insert rows directly, for arranging test state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import (
    Agreement,
    CardType,
    Charge,
    ChargeEvent,
    GatewayAccount,
    GatewayAccountCredential,
    PaymentInstrument,
    accepted_card_types,
)
from pay_common.db.base import utc_now
from pay_common.ids import new_external_id, new_uuid_hex


async def create_account(
    session: AsyncSession,
    *,
    payment_provider: str = "sandbox",
    credential_state: str = "ACTIVE",
    credentials: dict[str, Any] | None = None,
    **fields: Any,
) -> GatewayAccount:
    """A committed gateway account with one credential and every non-3DS card type accepted."""
    fields.setdefault("type", "TEST")
    fields.setdefault("service_id", new_uuid_hex())
    fields.setdefault("service_name", "Test service")
    fields.setdefault("description", "A test account")
    account = GatewayAccount(external_id=new_uuid_hex(), **fields)
    session.add(account)
    await session.flush()
    session.add(
        GatewayAccountCredential(
            external_id=new_uuid_hex(),
            gateway_account_id=account.id,
            payment_provider=payment_provider,
            credentials=credentials or {},
            state=credential_state,
        )
    )
    card_type_ids = (await session.scalars(select(CardType.id).where(CardType.requires_3ds.is_(False)))).all()
    await session.execute(
        insert(accepted_card_types),
        [{"gateway_account_id": account.id, "card_type_id": card_type_id} for card_type_id in card_type_ids],
    )
    await session.commit()
    return account


async def create_charge(
    session: AsyncSession,
    account: GatewayAccount,
    *,
    status: ChargeStatus | str = ChargeStatus.CREATED,
    amount: int = 1000,
    description: str = "A test payment",
    reference: str = "REF-1",
    return_url: str | None = "https://service.example/return",
    created_date: datetime | None = None,
    **fields: Any,
) -> Charge:
    """A committed charge already in ``status``, inserted directly (no transition) for arranging state.

    The charge uses the account's first credential and provider; one ``charge_events`` row records
    ``status``. Any other ``Charge`` column can be given as a keyword (``delayed_capture=True``,
    ``card_brand="visa"``, ``corporate_surcharge=250``, ``gateway_transaction_id=...``).
    """
    credential = await session.scalar(
        select(GatewayAccountCredential)
        .where(GatewayAccountCredential.gateway_account_id == account.id)
        .order_by(GatewayAccountCredential.id)
        .limit(1)
    )
    when = created_date or utc_now()
    fields.setdefault("external_id", new_external_id())
    fields.setdefault("payment_provider", credential.payment_provider if credential else "sandbox")
    fields.setdefault("gateway_account_credential_id", credential.id if credential else None)
    fields.setdefault("updated_date", when)
    charge = Charge(
        gateway_account_id=account.id,
        status=ChargeStatus(status).value,
        amount=amount,
        description=description,
        reference=reference,
        return_url=return_url,
        created_date=when,
        **fields,
    )
    session.add(charge)
    await session.flush()
    session.add(ChargeEvent(charge_id=charge.id, status=charge.status, updated=when))
    await session.commit()
    return charge


async def create_agreement(
    session: AsyncSession,
    account: GatewayAccount,
    *,
    status: str = "ACTIVE",
    instrument: dict[str, Any] | None = None,
    **fields: Any,
) -> Agreement:
    """A committed agreement in ``status``; ACTIVE (the default) ones get an ACTIVE payment instrument.

    ``instrument`` overrides the instrument's columns (``first_digits_card_number="510510"``,
    ``last_digits_card_number="5100"`` for the sandbox's always-declined agreement card,
    ``recurring_auth_token={...}`` for a provider's token). Pass ``instrument={}`` with another
    status to give it an instrument anyway.
    """
    fields.setdefault("external_id", new_external_id())
    fields.setdefault("service_id", account.service_id)
    fields.setdefault("live", account.type == "LIVE")
    fields.setdefault("reference", "AGREEMENT-REF-1")
    fields.setdefault("description", "A test agreement")
    agreement = Agreement(gateway_account_id=account.id, status=status, **fields)
    session.add(agreement)
    await session.flush()
    if instrument is not None or status == "ACTIVE":
        columns: dict[str, Any] = {
            "status": "ACTIVE" if status == "ACTIVE" else status,
            "recurring_auth_token": {"token": new_uuid_hex()},
            "card_brand": "visa",
            "card_type": "DEBIT",
            "first_digits_card_number": "424242",
            "last_digits_card_number": "4242",
            "expiry_date": "12/30",
            "cardholder_name": "Mr Payment",
            "start_date": utc_now(),
            **(instrument or {}),
        }
        payment_instrument = PaymentInstrument(
            external_id=new_external_id(), agreement_id=agreement.id, **columns
        )
        session.add(payment_instrument)
        await session.flush()
        agreement.payment_instrument_id = payment_instrument.id
    await session.commit()
    return agreement
