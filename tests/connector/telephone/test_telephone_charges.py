"""Telephone payment notifications (connector.md §10) through HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, ChargeEvent, GatewayAccount
from tests.factories import create_account

pytestmark = pytest.mark.asyncio

#: The request of the publicapi pact ``create-telephone-payment-notification``.
PACT_BODY: dict[str, Any] = {
    "amount": 12000,
    "reference": "MRPC12345",
    "description": "New passport application",
    "created_date": "2018-02-21T16:04:25Z",
    "authorised_date": "2018-02-21T16:05:33Z",
    "processor_id": "183f2j8923j8",
    "provider_id": "17498-8412u9-1273891239",
    "auth_code": "auth12345",
    "payment_outcome": {
        "status": "failed",
        "code": "P0010",
        "supplemental": {
            "error_code": "ECKOH01234",
            "error_message": "textual message describing error code",
        },
    },
    "card_type": "master-card",
    "name_on_card": "J Doe",
    "email_address": "j.doe@example.com",
    "card_expiry": "02/19",
    "last_four_digits": "1234",
    "first_six_digits": "654321",
    "telephone_number": "+447700900796",
}


async def telephone_account(session: AsyncSession, **fields: Any) -> GatewayAccount:
    fields.setdefault("allow_telephone_payment_notifications", True)
    return await create_account(session, **fields)


def url(account_id: int) -> str:
    return f"/v1/api/accounts/{account_id}/telephone-charges"


async def test_pact_request_creates_a_rejected_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session)

    response = await connector_client.post(url(account.id), json=PACT_BODY)

    assert response.status_code == 201
    body = response.json()
    charge_id = body.pop("charge_id")
    assert len(charge_id) == 26
    assert body == {
        "amount": 12000,
        "reference": "MRPC12345",
        "description": "New passport application",
        "provider_id": "17498-8412u9-1273891239",
        "processor_id": "183f2j8923j8",
        "auth_code": "auth12345",
        "telephone_number": "+447700900796",
        "email": "j.doe@example.com",
        "card_details": {
            "last_digits_card_number": "1234",
            "first_digits_card_number": "654321",
            "cardholder_name": "J Doe",
            "expiry_date": "02/19",
            "card_brand": "master-card",
        },
        "created_date": "2018-02-21T16:04:25.000Z",
        "authorised_date": "2018-02-21T16:05:33.000Z",
        "authorisation_mode": "external",
        "delayed_capture": False,
        "payment_outcome": PACT_BODY["payment_outcome"],
        "state": {
            "status": "failed",
            "finished": True,
            "code": "P0010",
            "message": "Payment method rejected",
        },
        "links": [],
        # Seed 000's names for the same values (tests/connector/seed_examples/test_telephone.py).
        "payment_id": charge_id,
        "card_type": "master-card",
        "card_expiry": "02/19",
        "last_four_digits": "1234",
        "first_six_digits": "654321",
        "name_on_card": "J Doe",
        "email_address": "j.doe@example.com",
    }
    charge = await db_session.scalar(select(Charge).where(Charge.external_id == charge_id))
    assert charge is not None
    assert charge.status == "AUTHORISATION REJECTED"
    assert charge.gateway_transaction_id == "17498-8412u9-1273891239"
    assert charge.source == "CARD_EXTERNAL_TELEPHONE"
    assert charge.authorisation_mode == "EXTERNAL"
    assert charge.card_brand == "master-card"
    assert charge.card_type is None
    events = (
        await db_session.scalars(select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id))
    ).all()
    assert sorted(events) == ["AUTHORISATION REJECTED", "PAYMENT NOTIFICATION CREATED"]


@pytest.mark.parametrize(
    ("outcome", "internal", "state"),
    [
        ({"status": "success"}, "CAPTURE SUBMITTED", {"status": "success", "finished": True}),
        (
            {"status": "failed", "code": "P0030"},
            "AUTHORISATION ERROR",
            {
                "status": "failed",
                "finished": True,
                "code": "P0030",
                "message": "Payment was cancelled by the user",
            },
        ),
        (
            {"status": "failed", "code": "P0050"},
            "AUTHORISATION ERROR",
            {
                "status": "failed",
                "finished": True,
                "code": "P0050",
                "message": "Payment provider returned an error",
            },
        ),
    ],
)
async def test_state_comes_from_the_stored_outcome(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    outcome: dict[str, str],
    internal: str,
    state: dict[str, Any],
) -> None:
    account = await telephone_account(db_session)
    body = {
        "amount": 100,
        "reference": "r",
        "description": "d",
        "processor_id": "p",
        "provider_id": "x1",
        "payment_outcome": outcome,
    }

    response = await connector_client.post(url(account.id), json=body)

    assert response.status_code == 201
    assert response.json()["state"] == state
    charge = await db_session.scalar(select(Charge).where(Charge.provider_id == "x1"))
    assert charge is not None
    assert charge.status == internal


async def test_same_provider_id_answers_200_with_the_first_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session)
    other = await telephone_account(db_session)
    first = await connector_client.post(url(account.id), json=PACT_BODY)

    again = await connector_client.post(
        url(account.id), json={**PACT_BODY, "amount": 1, "reference": "changed"}
    )
    elsewhere = await connector_client.post(url(other.id), json=PACT_BODY)

    assert again.status_code == 200
    assert again.json() == first.json()
    assert elsewhere.status_code == 201
    assert elsewhere.json()["charge_id"] != first.json()["charge_id"]


async def test_concurrent_notifications_create_one_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session)

    responses = await asyncio.gather(
        *(connector_client.post(url(account.id), json=PACT_BODY) for _ in range(8))
    )

    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert len({r.json()["charge_id"] for r in responses}) == 1
    charges = (await db_session.scalars(select(Charge).where(Charge.gateway_account_id == account.id))).all()
    assert len(charges) == 1


async def test_not_enabled_unknown_account_and_zero_amount(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    disabled = await create_account(db_session)
    enabled = await telephone_account(db_session)

    forbidden = await connector_client.post(url(disabled.id), json=PACT_BODY)
    missing = await connector_client.post(url(987654), json=PACT_BODY)
    zero = await connector_client.post(url(enabled.id), json={**PACT_BODY, "amount": 0})

    assert forbidden.status_code == 403
    assert forbidden.json() == {
        "error_identifier": "TELEPHONE_PAYMENT_NOTIFICATIONS_NOT_ALLOWED",
        "message": ["Telephone payment notifications are not enabled for this gateway account"],
    }
    assert missing.status_code == 404
    assert zero.status_code == 422
    assert zero.json()["error_identifier"] == "ZERO_AMOUNT_NOT_ALLOWED"


async def test_validation_reports_every_violation(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session)
    body = {
        "reference": "r",
        "payment_outcome": {"status": "failed", "code": "P0020"},
        "created_date": "21/02/2018",
        "card_type": "bitcoin",
        "card_expiry": "13/19",
        "last_four_digits": "12a4",
        "first_six_digits": "12345",
    }

    response = await connector_client.post(url(account.id), json=body)

    assert response.status_code == 422
    assert response.json() == {
        "error_identifier": "GENERIC",
        "message": [
            "Field [amount] cannot be null",
            "Field [description] cannot be null",
            "Field [processor_id] cannot be null",
            "Field [provider_id] cannot be null",
            "Field [payment_outcome] must include a valid status and error code",
            "Field [created_date] must be a valid ISO-8601 time and date format",
            "Field [card_type] must be either master-card, visa, maestro, diners-club, american-express or jcb",
            "Field [card_expiry] must have valid MM/YY",
            "Field [last_four_digits] must be exactly 4 digits",
            "Field [first_six_digits] must be exactly 6 digits",
        ],
    }
    assert (await db_session.scalars(select(Charge))).all() == []


@pytest.mark.parametrize(
    "outcome",
    [{"status": "success", "code": "P0010"}, {"status": "failed"}, {"status": "weird"}, "success"],
)
async def test_invalid_payment_outcomes(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, outcome: object
) -> None:
    account = await telephone_account(db_session)

    response = await connector_client.post(url(account.id), json={**PACT_BODY, "payment_outcome": outcome})

    assert response.status_code == 422
    assert response.json()["message"] == [
        "Field [payment_outcome] must include a valid status and error code"
    ]


async def test_too_long_or_wrongly_typed_fields_are_named_and_nothing_is_stored(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session)
    body = {**PACT_BODY, "reference": "r" * 256, "email_address": "e" * 255, "name_on_card": 7}

    response = await connector_client.post(url(account.id), json=body)

    assert response.status_code == 422
    assert response.json()["message"] == [
        "Field [reference] must have a maximum length of 255 characters",
        "Field [name_on_card] must be a string",
        "Field [email_address] must have a maximum length of 254 characters",
    ]
    assert (await db_session.scalars(select(Charge))).all() == []


async def test_long_values_are_cut_to_fifty_characters(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session)

    response = await connector_client.post(url(account.id), json={**PACT_BODY, "auth_code": "a" * 60})

    assert response.json()["auth_code"] == "a" * 50


async def test_through_the_service_and_account_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await telephone_account(db_session, service_id="svc-tel")

    first = await connector_client.post(
        "/v1/api/service/svc-tel/account/test/telephone-charges", json=PACT_BODY
    )
    again = await connector_client.post(url(account.id), json=PACT_BODY)

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["charge_id"] == first.json()["charge_id"]
