"""Charges, events and refunds inserted straight into the database, for arranging state.

The public API only reads these through connector; inserting them directly lets a test
start from a payment in any state (captured, cancelled, with card details...) without
driving the whole card journey first.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, ChargeEvent, GatewayAccount, GatewayAccountCredential, Refund
from pay_common.ids import new_external_id


async def create_charge(
    session: AsyncSession,
    account: GatewayAccount,
    *,
    status: str = "CREATED",
    history: tuple[str, ...] = (),
    created_date: datetime | None = None,
    events: tuple[str, ...] | None = None,
    **fields: Any,
) -> Charge:
    """A committed charge in ``status``; ``history`` lists earlier statuses for its events.

    ``events`` replaces the event rows written (default: ``history`` then ``status``).
    """
    fields.setdefault("external_id", new_external_id())
    fields.setdefault("amount", 1000)
    fields.setdefault("description", "A test payment")
    fields.setdefault("reference", "REF-1")
    fields.setdefault("return_url", "https://service.example/return")
    fields.setdefault("payment_provider", "sandbox")
    fields.setdefault("language", "en")
    fields.setdefault("authorisation_mode", "WEB")
    if "gateway_account_credential_id" not in fields:
        fields["gateway_account_credential_id"] = await session.scalar(
            select(GatewayAccountCredential.id).where(
                GatewayAccountCredential.gateway_account_id == account.id
            )
        )
    created = created_date or datetime.now(UTC)
    charge = Charge(gateway_account_id=account.id, status=status, created_date=created, **fields)
    session.add(charge)
    await session.flush()
    for index, event_status in enumerate((*history, status) if events is None else events):
        session.add(
            ChargeEvent(charge_id=charge.id, status=event_status, updated=created + timedelta(seconds=index))
        )
    await session.commit()
    return charge


async def create_refund(
    session: AsyncSession, charge: Charge, *, amount: int = 100, status: str = "REFUNDED", **fields: Any
) -> Refund:
    fields.setdefault("external_id", new_external_id())
    refund = Refund(charge_external_id=charge.external_id, amount=amount, status=status, **fields)
    session.add(refund)
    await session.commit()
    return refund
