"""Agreements on connector (connector.md §11.1–§11.2): create, cancel, read, search, and the
set-up payment that stores and activates the payment instrument."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Agreement, GatewayAccount, OutboxEvent, PaymentInstrument
from tests.connector.authorisation.cards import card_body
from tests.factories import create_account, create_agreement

pytestmark = pytest.mark.asyncio

BODY = {"reference": "CT-22-23-0001", "description": "Council tax", "user_identifier": "user-1"}
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def agreements_url(account_id: int) -> str:
    return f"/v1/api/accounts/{account_id}/agreements"


async def _recurring_account(session: AsyncSession) -> GatewayAccount:
    return await create_account(session, recurring_enabled=True)


async def test_creates_an_agreement_on_a_recurring_account(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    response = await connector_client.post(agreements_url(account.id), json=BODY)

    assert response.status_code == 201, response.text
    body = response.json()
    assert len(body["agreement_id"]) == 26
    assert INSTANT.match(body["created_date"])
    assert {key: body[key] for key in BODY} == BODY
    assert body["live"] is False
    assert body["service_id"] == account.service_id
    read = await connector_client.get(f"{agreements_url(account.id)}/{body['agreement_id']}")
    assert read.json()["status"] == "CREATED"
    assert "payment_instrument" not in read.json()


async def test_account_without_recurring_payments_is_refused(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    response = await connector_client.post(agreements_url(account.id), json=BODY)
    assert response.status_code == 422
    assert response.json()["error_identifier"] == "RECURRING_CARD_PAYMENTS_NOT_ALLOWED"
    assert (await db_session.scalars(select(Agreement))).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"description": "d"}, "reference"),
        ({"reference": "", "description": "d"}, "reference"),
        ({"reference": "r" * 256, "description": "d"}, "reference"),
        ({"reference": "r"}, "description"),
        ({"reference": "r", "description": "d", "user_identifier": "u" * 256}, "user_identifier"),
    ],
)
async def test_invalid_bodies_are_422_naming_the_field(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, body: dict[str, Any], field: str
) -> None:
    account = await _recurring_account(db_session)
    response = await connector_client.post(agreements_url(account.id), json=body)
    assert response.status_code == 422
    assert any(f"[{field}]" in message for message in response.json()["message"])


async def test_cancelling_an_active_agreement_cancels_its_instrument(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    url = f"{agreements_url(account.id)}/{agreement.external_id}"

    response = await connector_client.post(
        f"{url}/cancel", json={"user_external_id": "u123", "user_email": "a@example.org"}
    )

    assert response.status_code == 204
    read = (await connector_client.get(url)).json()
    assert read["status"] == "CANCELLED"
    assert INSTANT.match(read["cancelled_date"])
    assert read["payment_instrument"]["status"] == "CANCELLED"
    again = await connector_client.post(f"{url}/cancel")
    assert again.status_code == 400
    assert again.json() == {
        "error_identifier": "AGREEMENT_NOT_ACTIVE",
        "message": ["Payment instrument not active."],
    }


async def test_agreement_without_an_active_instrument_cannot_be_cancelled(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account, status="CREATED")
    response = await connector_client.post(f"{agreements_url(account.id)}/{agreement.external_id}/cancel")
    assert response.status_code == 400
    assert response.json()["error_identifier"] == "AGREEMENT_NOT_ACTIVE"


async def test_agreement_of_another_account_is_not_found(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    other = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, other)
    url = f"{agreements_url(account.id)}/{agreement.external_id}"

    cancel = await connector_client.post(f"{url}/cancel")
    read = await connector_client.get(url)

    assert cancel.status_code == 404
    assert cancel.json()["error_identifier"] == "AGREEMENT_NOT_FOUND"
    assert read.status_code == 404


async def test_search_filters_by_status_and_reference_and_pages(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    for index in range(3):
        await create_agreement(db_session, account, status="CREATED", reference=f"REF-{index}")
    await create_agreement(db_session, account, reference="REF-0")

    url = agreements_url(account.id)
    by_status = (await connector_client.get(url, params={"status": "ACTIVE"})).json()
    by_reference = (await connector_client.get(url, params={"reference": "ref-0"})).json()
    second_page = (await connector_client.get(url, params={"page": "2", "display_size": "3"})).json()
    past_the_end = await connector_client.get(url, params={"page": "3", "display_size": "3"})

    assert by_status["total"] == 1
    assert by_status["results"][0]["payment_instrument"]["status"] == "ACTIVE"
    assert by_reference["total"] == 2
    assert (second_page["total"], second_page["count"], second_page["page"]) == (4, 1, 2)
    assert past_the_end.status_code == 404


async def test_set_up_payment_stores_then_activates_the_instrument(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    agreement_id = (await connector_client.post(agreements_url(account.id), json=BODY)).json()["agreement_id"]
    charge = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges",
        json={
            "amount": 1968,
            "reference": "ref",
            "description": "desc",
            "return_url": "https://service.example/return",
            "agreement_id": agreement_id,
            "save_payment_instrument_to_agreement": True,
        },
    )
    assert charge.status_code == 201, charge.text
    charge_id = charge.json()["charge_id"]

    authorised = await connector_client.post(
        f"/v1/frontend/charges/{charge_id}/cards", json=card_body("4000056655665556")
    )
    assert authorised.status_code == 200, authorised.text
    instrument = (await db_session.scalars(select(PaymentInstrument))).one()
    assert instrument.status == "CREATED"
    assert instrument.recurring_auth_token.get("token")
    assert (instrument.first_digits_card_number, instrument.last_digits_card_number) == ("400005", "5556")
    assert instrument.expiry_date == "11/30"
    assert instrument.card_brand == "visa"
    assert "4000056655665556" not in repr(
        {column: getattr(instrument, column) for column in PaymentInstrument.__table__.columns.keys()}
    )
    url = f"{agreements_url(account.id)}/{agreement_id}"
    assert (await connector_client.get(url)).json()["status"] == "CREATED"

    captured = await connector_client.post(f"/v1/frontend/charges/{charge_id}/capture")
    assert captured.status_code == 204

    read = (await connector_client.get(url)).json()
    assert read["status"] == "ACTIVE"
    assert read["payment_instrument"]["status"] == "ACTIVE"
    assert read["payment_instrument"]["card_details"]["last_digits_card_number"] == "5556"


async def test_charge_for_an_agreement_of_another_account_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    other = await _recurring_account(db_session)
    foreign = await create_agreement(db_session, other, status="CREATED")
    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges",
        json={
            "amount": 100,
            "reference": "ref",
            "description": "desc",
            "return_url": "https://service.example/return",
            "agreement_id": foreign.external_id,
            "save_payment_instrument_to_agreement": True,
        },
    )
    assert response.status_code == 400
    assert response.json()["error_identifier"] == "AGREEMENT_NOT_FOUND"


async def test_a_new_set_up_payment_reactivates_a_cancelled_agreement(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    # Seed 003: "Reactivate a cancelled agreement by taking a payment from the user and telling the
    # GOV.UK Pay API to save the user's card details."
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    url = f"{agreements_url(account.id)}/{agreement.external_id}"
    assert (await connector_client.post(f"{url}/cancel")).status_code == 204
    charge = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges",
        json={
            "amount": 1968,
            "reference": "ref",
            "description": "desc",
            "return_url": "https://service.example/return",
            "agreement_id": agreement.external_id,
            "save_payment_instrument_to_agreement": True,
        },
    )
    charge_id = charge.json()["charge_id"]

    await connector_client.post(f"/v1/frontend/charges/{charge_id}/cards", json=card_body("4000056655665556"))
    await connector_client.post(f"/v1/frontend/charges/{charge_id}/capture")

    read = (await connector_client.get(url)).json()
    assert read["status"] == "ACTIVE"
    assert "cancelled_date" not in read
    assert read["payment_instrument"]["card_details"]["last_digits_card_number"] == "5556"
    instruments = (await db_session.scalars(select(PaymentInstrument).order_by(PaymentInstrument.id))).all()
    assert [instrument.status for instrument in instruments] == ["CANCELLED", "ACTIVE"]


async def test_agreement_events_go_to_the_outbox_in_order(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    agreement_id = (await connector_client.post(agreements_url(account.id), json=BODY)).json()["agreement_id"]
    charge_id = (
        await connector_client.post(
            f"/v1/api/accounts/{account.id}/charges",
            json={
                "amount": 1968,
                "reference": "ref",
                "description": "desc",
                "return_url": "https://service.example/return",
                "agreement_id": agreement_id,
                "save_payment_instrument_to_agreement": True,
            },
        )
    ).json()["charge_id"]
    await connector_client.post(f"/v1/frontend/charges/{charge_id}/cards", json=card_body("4000056655665556"))
    await connector_client.post(f"/v1/frontend/charges/{charge_id}/capture")
    await connector_client.post(
        f"{agreements_url(account.id)}/{agreement_id}/cancel",
        json={"user_external_id": "u123", "user_email": "a@example.org"},
    )
    refused = await connector_client.post(f"{agreements_url(account.id)}/{agreement_id}/cancel")
    assert refused.status_code == 400

    rows = (
        await db_session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.resource_type == "agreement", OutboxEvent.resource_external_id == agreement_id)
            .order_by(OutboxEvent.id)
        )
    ).all()
    assert [row.event_type for row in rows] == [
        "AGREEMENT_CREATED",
        "AGREEMENT_SETUP",
        "AGREEMENT_CANCELLED_BY_USER",
    ]
    assert rows[0].event_details["reference"] == BODY["reference"]
    assert rows[1].event_details["payment_instrument_external_id"]
    assert rows[2].event_details == {"user_email": "a@example.org"}
    assert {(row.service_id, row.live, row.gateway_account_id) for row in rows} == {
        (account.service_id, False, str(account.id))
    }
