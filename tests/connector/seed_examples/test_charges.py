"""Seeds 000/001, card payments: create, read, events, frontend status/cards/capture, cancel, capture."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus as S
from connector.models import Charge, ChargeEvent, Fee
from pay_common.db.base import utc_now
from pay_common.ids import new_external_id
from tests.connector.seed_examples.arrange import seed_account
from tests.connector.seed_examples.expect import (
    ANY_ID,
    ANY_STR,
    TIMESTAMP,
    URL,
    Links,
    assert_answers,
    message,
    one_of,
)
from tests.factories import create_charge

BREATHING_LICENCE: dict[str, Any] = {
    "external_id": "1",
    "amount": 5000,
    "description": "Breathing licence",
    "reference": "Ref-1234",
    "gateway_transaction_id": "DFG98-FG8J-R78HJ-8JUG9",
    "return_url": "https://govservice.example.com/return_from_payments",
    "card_brand": "visa",
    "cardholder_name": "TEST",
    "expiry_date": "12/19",
    "last_digits_card_number": "4242",
    "first_digits_card_number": "424242",
    "address_line1": "TEST",
    "address_line2": "TEST - DO NOT PROCESS",
    "address_postcode": "SE1 3UZ",
    "address_city": "TEST",
    "address_country": "GB",
}
CARD_DETAILS = {
    "billing_address": {
        "city": "TEST",
        "country": "GB",
        "line1": "TEST",
        "line2": "TEST - DO NOT PROCESS",
        "postcode": "SE1 3UZ",
    },
    "card_brand": "Visa",
    "cardholder_name": "TEST",
    "expiry_date": "12/19",
    "last_digits_card_number": "4242",
    "first_digits_card_number": "424242",
}
CHARGE_001 = {
    "charge_id": "1",
    "description": "Breathing licence",
    "reference": "Ref-1234",
    "amount": 5000,
    "payment_provider": "sandbox",
    "gateway_account_id": ANY_ID,
    "gateway_transaction_id": "DFG98-FG8J-R78HJ-8JUG9",
    "state": {"status": "created", "finished": False},
    "card_brand": "Visa",
    "card_details": CARD_DETAILS,
    "return_url": "https://govservice.example.com/return_from_payments",
    # The example says "available" for a created charge; a created charge cannot be refunded yet,
    # so the connector says "pending" (connector.md §3.2).
    "refund_summary": {"amount_available": 5000, "amount_submitted": 0, "status": "pending"},
    "settlement_summary": {"capture_submit_time": None, "captured_date": None},
    "links": Links(
        [
            {"rel": "self", "method": "GET"},
            {"rel": "next_url", "method": "GET"},
            {"rel": "refunds", "method": "GET"},
        ]
    ),
}
CHARGE_000 = {**CHARGE_001, "fee": 5}


@pytest.mark.asyncio
@pytest.mark.parametrize("expected", [CHARGE_000, CHARGE_001], ids=["000", "001"])
async def test_get_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, expected: dict[str, Any]
) -> None:
    account = await seed_account(db_session, 2131)
    charge = await create_charge(db_session, account, **BREATHING_LICENCE)
    if "fee" in expected:
        db_session.add(
            Fee(external_id=new_external_id(), charge_id=charge.id, amount_due=5, amount_collected=5)
        )
        await db_session.commit()

    response = await connector_client.get("/v1/api/accounts/2131/charges/1")

    assert_answers(response, 200, expected)
    assert response.json()["gateway_account_id"] == "2131"


CREATE_BODY = {
    "amount": 5000,
    "description": "The payment description (shown to the user on the payment pages)",
    "reference": "The reference issued by the government service for this payment",
    "gateway_account_id": "10",
    "return_url": "https://govservice.example.com/return_from_payments",
}
CREATED = {
    "amount": 5000,
    "state": {"finished": False, "status": "created"},
    "description": "The payment description (shown to the user on the payment pages)",
    "reference": "The reference issued by the government service for this payment",
    "language": "en",
    "links": Links(
        [
            {"rel": "self", "method": "GET"},
            {"rel": "refunds", "method": "GET"},
            {"rel": "next_url", "method": "GET"},
            {
                "rel": "next_url_post",
                "method": "POST",
                "type": "application/x-www-form-urlencoded",
                "params": {"chargeTokenId": ANY_STR},
            },
        ]
    ),
    "charge_id": ANY_STR,
    "return_url": "https://govservice.example.com/return_from_payments",
    "payment_provider": "sandbox",
    "created_date": TIMESTAMP,
    "refund_summary": {
        "status": "pending",
        "user_external_id": None,
        "amount_available": 5000,
        "amount_submitted": 0,
    },
    "settlement_summary": {"capture_submit_time": None, "captured_date": None},
    "delayed_capture": False,
}


@pytest.mark.asyncio
async def test_create_charge(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    """Seeds 000 and 001 (000's ``card_details`` comes from ``prefilled_cardholder_details``, which
    its request example does not send; without them the member is absent, as 000 documents)."""
    await seed_account(db_session, 3121)

    response = await connector_client.post("/v1/api/accounts/3121/charges", json=CREATE_BODY)

    assert_answers(response, 201, CREATED)
    body = response.json()
    assert "card_details" not in body
    assert body["gateway_account_id"] == "3121"  # the path's account; the body's "10" is not used
    assert response.headers["location"].endswith(f"/v1/api/accounts/3121/charges/{body['charge_id']}")


@pytest.mark.asyncio
async def test_charge_events(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await seed_account(db_session, 123)
    charge = await create_charge(db_session, account, external_id="4321", status=S.SYSTEM_CANCELLED)
    await db_session.execute(delete(ChargeEvent).where(ChargeEvent.charge_id == charge.id))
    db_session.add(ChargeEvent(charge_id=charge.id, status=S.CREATED.value, updated=charge.created_date))
    db_session.add(ChargeEvent(charge_id=charge.id, status=S.SYSTEM_CANCELLED.value, updated=utc_now()))
    await db_session.commit()

    response = await connector_client.get("/v1/api/accounts/123/charges/4321/events")

    # "updated" is an ISO instant, as the pact get-payment-events has it (the seed: "23-12-2015 13:21:05"),
    # and P0040's message is the fact sheet's (connector.md §1), which publicapi passes on.
    assert_answers(
        response,
        200,
        {
            "charge_id": "4321",
            "events": [
                {"state": {"status": "created", "finished": False}, "updated": TIMESTAMP},
                {
                    "state": {
                        "status": "cancelled",
                        "finished": True,
                        "message": "Payment was cancelled by the service",
                        "code": "P0040",
                    },
                    "updated": TIMESTAMP,
                },
            ],
        },
    )


async def _status(session: AsyncSession, external_id: str) -> str:
    session.expire_all()
    status = await session.scalar(select(Charge.status).where(Charge.external_id == external_id))
    assert status is not None
    return status


@pytest.mark.asyncio
async def test_put_frontend_status_created(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    """``{"new_status": "CREATED"}`` on a created charge: 204 and nothing changes (decisions.md)."""
    account = await seed_account(db_session, 1)
    charge_id = (await create_charge(db_session, account, external_id="1")).id
    await create_charge(db_session, account, external_id="2", status=S.ENTERING_CARD_DETAILS)

    response = await connector_client.put("/v1/frontend/charges/1/status", json={"new_status": "CREATED"})

    assert_answers(response, 204)
    assert await _status(db_session, "1") == S.CREATED
    events = (
        await db_session.scalars(select(ChargeEvent.status).where(ChargeEvent.charge_id == charge_id))
    ).all()
    assert events == [S.CREATED.value]

    # A charge past CREATED cannot go back to it (there is no such edge).
    response = await connector_client.put("/v1/frontend/charges/2/status", json={"new_status": "CREATED"})
    assert_answers(
        response, 400, {"message": message("charge with id: 2 cannot be updated to the new status: CREATED")}
    )


@pytest.mark.asyncio
async def test_cancel(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await seed_account(db_session, 111222333)
    path = "/v1/api/accounts/111222333/charges/123456/cancel"
    response = await connector_client.post(path)
    assert_answers(response, 404, {"message": message("Charge with id [123456] not found.")})

    rejected = await create_charge(db_session, account, external_id="123456", status=S.AUTHORISATION_REJECTED)
    response = await connector_client.post(path)
    # The seed spells it AUTHORIZATION; the status is AUTHORISATION REJECTED (connector.md §1).
    assert_answers(
        response, 400, {"message": message("Cannot cancel a charge with status AUTHORISATION REJECTED.")}
    )

    await db_session.delete(rejected)
    await db_session.commit()
    await create_charge(db_session, account, external_id="123456")
    assert_answers(await connector_client.post(path), 204)
    assert await _status(db_session, "123456") == S.SYSTEM_CANCELLED


def frontend_gateway_account(service_name: str, **extra: Any) -> dict[str, Any]:
    """The ``gateway_account`` of seed 000's frontend charge and token examples (account 1,
    sandbox, test), with the members only one of them shows in ``extra``."""
    return {
        "requires3ds": False,
        "notifySettings": None,
        "live": False,
        "gateway_account_id": 1,
        "payment_provider": "sandbox",
        "type": "test",
        "service_name": service_name,
        "analytics_id": None,
        "corporate_credit_card_surcharge_amount": 0,
        "corporate_debit_card_surcharge_amount": 0,
        "corporate_prepaid_credit_card_surcharge_amount": 0,
        "corporate_prepaid_debit_card_surcharge_amount": 0,
        **extra,
    }


FRONTEND_CHARGE = {
    "amount": 5000,
    "state": {"finished": True, "status": "success"},
    "description": "Payment description",
    "language": "en",
    "status": "CAPTURED",
    "links": Links(
        [
            {"rel": "self", "method": "GET"},
            {"rel": "cardAuth", "method": "POST"},
            {"rel": "cardCapture", "method": "POST"},
        ]
    ),
    "charge_id": "1",
    "gateway_transaction_id": "6dc944c2-0e20-4ad3-af89-8b2c30bbd2a2",
    "return_url": "https://govservice.example.com/return/fe10ff90badbade0e798b70eb2f94369/Payment-reference",
    "email": "user@example.com",
    "created_date": TIMESTAMP,
    "card_details": {
        "last_digits_card_number": "4242",
        "cardholder_name": "Mr. Payment",
        "expiry_date": "10/20",
        "billing_address": {"line1": "123 Street", "postcode": "ABCD EFG", "city": "London", "country": "GB"},
        "card_brand": "Visa",
    },
    "delayed_capture": False,
    "gateway_account": frontend_gateway_account(
        "local Pay test",
        version=ANY_ID,
        worldpay_3ds_flex=None,
        card_types=[
            {"id": ANY_STR, "brand": brand, "label": label, "type": kind, "requires3ds": False}
            for brand, label, kind in [
                ("american-express", "American Express", "CREDIT"),
                ("diners-club", "Diners Club", "CREDIT"),
                ("discover", "Discover", "CREDIT"),
                ("jcb", "Jcb", "CREDIT"),
                ("master-card", "Mastercard", "CREDIT"),
                ("master-card", "Mastercard", "DEBIT"),
                ("unionpay", "Union Pay", "CREDIT"),
                ("visa", "Visa", "CREDIT"),
                ("visa", "Visa", "DEBIT"),
            ]
        ],
    ),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("seed", ["000", "001"])
async def test_get_frontend_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, seed: str
) -> None:
    """Both seeds' example; 000 adds ``fee``. The example's ``line2: ""`` and ``county: null``
    are absent members here (null and empty members are omitted, connector.md §4.3)."""
    account = await seed_account(db_session, 1, service_name="local Pay test", analytics_id=None)
    charge = await create_charge(
        db_session,
        account,
        external_id="1",
        status=S.CAPTURED,
        amount=5000,
        description="Payment description",
        gateway_transaction_id="6dc944c2-0e20-4ad3-af89-8b2c30bbd2a2",
        return_url="https://govservice.example.com/return/fe10ff90badbade0e798b70eb2f94369/Payment-reference",
        email="user@example.com",
        card_brand="visa",
        cardholder_name="Mr. Payment",
        expiry_date="10/20",
        last_digits_card_number="4242",
        address_line1="123 Street",
        address_postcode="ABCD EFG",
        address_city="London",
        address_country="GB",
    )
    expected: dict[str, Any] = dict(FRONTEND_CHARGE)
    if seed == "000":
        db_session.add(
            Fee(external_id=new_external_id(), charge_id=charge.id, amount_due=5, amount_collected=5)
        )
        await db_session.commit()
        expected["fee"] = 5

    response = await connector_client.get("/v1/frontend/charges/1")

    assert_answers(response, 200, expected)


CARD = {
    "card_number": "4242424242424242",
    "card_brand": "visa",
    "cvc": "123",
    "expiry_date": "11/17",
    "address": {"line1": "The street", "city": "The city", "postcode": "W1 2CP", "country": "GB"},
}


@pytest.mark.asyncio
async def test_frontend_cards(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    """The seeds answer 204; the payment pages read today's 200 ``{"status": ...}`` (connector.md
    §8.2), so that stays (decisions.md). A decline is the seeds' 400 with their message."""
    account = await seed_account(db_session, 1)
    await create_charge(db_session, account, external_id="1", status=S.ENTERING_CARD_DETAILS)
    await create_charge(db_session, account, external_id="2", status=S.ENTERING_CARD_DETAILS)

    response = await connector_client.post("/v1/frontend/charges/1/cards", json=CARD)
    assert_answers(response, 200, {"status": "AUTHORISATION SUCCESS"})
    assert await _status(db_session, "1") == S.AUTHORISATION_SUCCESS

    declined = {**CARD, "card_number": "4000000000000002"}
    response = await connector_client.post("/v1/frontend/charges/2/cards", json=declined)
    assert_answers(response, 400, {"message": message("This transaction was declined.")})


@pytest.mark.asyncio
async def test_frontend_capture(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await seed_account(db_session, 1)
    await create_charge(db_session, account, external_id="1", status=S.AUTHORISATION_SUCCESS)
    await create_charge(db_session, account, external_id="2", status=S.AUTHORISATION_REJECTED)

    assert_answers(await connector_client.post("/v1/frontend/charges/1/capture"), 204)
    assert await _status(db_session, "1") in (S.CAPTURE_APPROVED, S.CAPTURE_SUBMITTED, S.CAPTURED)

    response = await connector_client.post("/v1/frontend/charges/2/capture")
    assert_answers(
        response, 400, {"message": message("Cannot capture a charge with status AUTHORISATION REJECTED.")}
    )


@pytest.mark.asyncio
async def test_api_capture(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await seed_account(db_session, 1)
    response = await connector_client.post("/v1/api/accounts/1/charges/abc/capture")
    assert_answers(response, 404, {"message": message("Charge with id [abc] not found.")})

    await create_charge(
        db_session, account, external_id="abc", status=S.AWAITING_CAPTURE_REQUEST, delayed_capture=True
    )
    assert_answers(await connector_client.post("/v1/api/accounts/1/charges/abc/capture"), 204)
    assert await _status(db_session, "abc") == S.CAPTURE_APPROVED
    # Already approved: nothing happens, still 204.
    assert_answers(await connector_client.post("/v1/api/accounts/1/charges/abc/capture"), 204)


def _unused(*_: object) -> None:
    """Keeps the shape imports listed once for the modules that share them."""


_unused(URL, one_of)
