"""Setting an agreement up over HTTP as a service and the payment pages do (connector.md §11.2):
create the agreement, take a set-up payment with the card, approve it for capture."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings
from connector.models import Charge, PaymentInstrument
from tests.connector.authorisation.cards import card_body
from tests.connector.recurring.bodies import payment_body
from tests.jobs import drain


def agreements_url(account_id: int) -> str:
    return f"/v1/api/accounts/{account_id}/agreements"


@dataclass(frozen=True)
class SetUp:
    agreement_id: str
    charge_id: str
    #: The set-up payment's agreement (read after the capture approval).
    agreement: dict[str, Any]


async def start_set_up(client: httpx.AsyncClient, account_id: int) -> tuple[str, str]:
    """A new agreement and its set-up payment, before the payer enters a card: their ids."""
    created = await client.post(
        agreements_url(account_id),
        json={"reference": "CT-22-23-0001", "description": "Council tax", "user_identifier": "u-1"},
    )
    assert created.status_code == 201, created.text
    agreement_id: str = created.json()["agreement_id"]
    charge = await client.post(
        f"/v1/api/accounts/{account_id}/charges",
        json={
            "amount": 1968,
            "reference": "set-up",
            "description": "Council tax set-up",
            "return_url": "https://service.example/return",
            "agreement_id": agreement_id,
            "save_payment_instrument_to_agreement": True,
        },
    )
    assert charge.status_code == 201, charge.text
    return agreement_id, charge.json()["charge_id"]


async def approve_set_up(
    client: httpx.AsyncClient, account_id: int, agreement_id: str, charge_id: str
) -> SetUp:
    """The payer confirms the authorised set-up payment: it is approved for capture."""
    captured = await client.post(f"/v1/frontend/charges/{charge_id}/capture")
    assert captured.status_code == 204, captured.text
    agreement = (await client.get(f"{agreements_url(account_id)}/{agreement_id}")).json()
    return SetUp(agreement_id, charge_id, agreement)


async def set_up_agreement(
    client: httpx.AsyncClient, account_id: int, card_number: str, *, three_ds: dict[str, str] | None = None
) -> SetUp:
    """An agreement whose set-up payment with ``card_number`` was authorised and approved for capture;
    with ``three_ds`` the card is challenged first and this is the payer's answer (``/3ds`` body)."""
    agreement_id, charge_id = await start_set_up(client, account_id)
    authorised = await client.post(f"/v1/frontend/charges/{charge_id}/cards", json=card_body(card_number))
    if three_ds is not None:
        assert authorised.json() == {"status": "AUTHORISATION 3DS REQUIRED"}, authorised.text
        authorised = await client.post(f"/v1/frontend/charges/{charge_id}/3ds", json=three_ds)
    assert authorised.json() == {"status": "AUTHORISATION SUCCESS"}, authorised.text
    return await approve_set_up(client, account_id, agreement_id, charge_id)


async def pay_with_agreement(
    client: httpx.AsyncClient, settings: Settings, account_id: int, agreement_id: str, amount: int = 2046
) -> str:
    """An agreement payment, created and then authorised (and captured) by a drained worker: its id."""
    created = await client.post(
        f"/v1/api/accounts/{account_id}/charges", json=payment_body(agreement_id, amount=amount)
    )
    assert created.status_code == 201, created.text
    await drain(settings)
    charge_id: str = created.json()["charge_id"]
    return charge_id


async def agreement_status(client: httpx.AsyncClient, account_id: int, agreement_id: str) -> str:
    """``<agreement status>/<instrument status>``, as connector shows the agreement."""
    body = (await client.get(f"{agreements_url(account_id)}/{agreement_id}")).json()
    return f"{body['status']}/{body['payment_instrument']['status']}"


async def stored_token(session: AsyncSession, agreement_id: str) -> dict[str, Any]:
    """The recurring token of the agreement's instrument, as connector stored it."""
    instrument = (
        await session.scalars(
            select(PaymentInstrument)
            .join(Charge, Charge.id == PaymentInstrument.charge_id)
            .where(Charge.agreement_external_id == agreement_id)
        )
    ).one()
    await session.refresh(instrument)
    await session.commit()
    return dict(instrument.recurring_auth_token)


async def charge_row(session: AsyncSession, external_id: str) -> Charge:
    charge = (await session.scalars(select(Charge).where(Charge.external_id == external_id))).one()
    await session.refresh(charge)
    await session.commit()
    return charge


@dataclass(frozen=True)
class Decline:
    """A declined agreement payment's expected outcome (connector.md §11.2)."""

    can_retry: bool
    #: ``agreement_status`` after it.
    after: str
    #: Where another payment with the same agreement ends when the decline could be retried.
    paid_status: str


async def check_decline(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    account_id: int,
    charge_id: str,
    expected: Decline,
) -> Charge:
    """The agreement payment ``charge_id`` was declined with ``can_retry`` as expected, the agreement
    kept or ended accordingly, and a next payment paid or refused with it: the declined charge."""
    charge = await charge_row(session, charge_id)
    assert charge.agreement_external_id is not None
    agreement_id = charge.agreement_external_id
    assert (charge.status, charge.can_retry) == ("AUTHORISATION REJECTED", expected.can_retry)
    state = (await client.get(f"/v1/api/accounts/{account_id}/charges/{charge_id}")).json()["state"]
    assert (state["status"], state["code"], state["can_retry"]) == ("failed", "P0010", expected.can_retry)
    assert await agreement_status(client, account_id, agreement_id) == expected.after
    if expected.can_retry:
        again = await pay_with_agreement(client, settings, account_id, agreement_id)
        assert (await charge_row(session, again)).status == expected.paid_status
    else:
        refused = await client.post(f"/v1/api/accounts/{account_id}/charges", json=payment_body(agreement_id))
        assert refused.json()["error_identifier"] == "AGREEMENT_NOT_ACTIVE"
    return charge
