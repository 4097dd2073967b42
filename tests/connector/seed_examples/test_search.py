"""Seed 001, ``GET /v1/api/accounts/{id}/charges``: JSON and CSV answers, and its ``status`` filter."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus as S
from connector.models import ChargeEvent
from pay_common.db.base import utc_now
from tests.connector.seed_examples.arrange import seed_account
from tests.connector.seed_examples.expect import ANY_ID, DATE, TIMESTAMP, Links, assert_answers, message
from tests.connector.seed_examples.test_charges import BREATHING_LICENCE, CARD_DETAILS
from tests.factories import create_charge

RESULT = {
    "charge_id": "1",
    "description": "Breathing licence",
    "reference": "Ref-1234",
    "amount": 5000,
    "gateway_account_id": ANY_ID,
    "gateway_transaction_id": "DFG98-FG8J-R78HJ-8JUG9",
    # The seed's "status": "CAPTURED"; the view carries it as "state" (decisions.md).
    "state": {"status": "success", "finished": True},
    "language": "en",
    "delayed_capture": False,
    "card_brand": "Visa",
    "card_details": CARD_DETAILS,
    "payment_provider": "sandbox",
    "return_url": "https://govservice.example.com/return_from_payments",
    "links": Links([{"rel": "self", "method": "GET"}, {"rel": "refunds", "method": "GET"}]),
    "refund_summary": {"amount_available": 5000, "amount_submitted": 0, "status": "available"},
    "settlement_summary": {"capture_submit_time": TIMESTAMP, "captured_date": DATE},
}


@pytest.mark.asyncio
async def test_search_json(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await seed_account(db_session, 3121)
    charge = await create_charge(db_session, account, status=S.CAPTURED, **BREATHING_LICENCE)
    db_session.add(ChargeEvent(charge_id=charge.id, status=S.CAPTURE_SUBMITTED.value, updated=utc_now()))
    await db_session.commit()

    response = await connector_client.get(
        "/v1/api/accounts/3121/charges", headers={"Accept": "application/json"}
    )

    assert_answers(response, 200, {"results": [RESULT]})
    assert response.json()["results"][0]["gateway_account_id"] == "3121"


@pytest.mark.asyncio
async def test_search_csv(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await seed_account(db_session, 3121)
    await create_charge(
        db_session,
        account,
        external_id="1",
        reference="ref2",
        amount=50000,
        status=S.ENTERING_CARD_DETAILS,
        gateway_transaction_id="DFG98-FG8J-R78HJ-8JUG9",
    )

    response = await connector_client.get("/v1/api/accounts/3121/charges", headers={"Accept": "text/csv"})

    assert_answers(response, 200)
    assert response.headers["content-type"].startswith("text/csv")
    header, row = response.text.strip().splitlines()
    assert (
        header == "Service Payment Reference,Amount,Status,Gateway Transaction ID,GOV.UK Pay ID,Date Created"
    )
    reference, amount, status, transaction, charge_id, _created = row.split(",")
    assert (reference, amount, status, transaction, charge_id) == (
        "ref2",
        "500.00",
        "IN PROGRESS",
        "DFG98-FG8J-R78HJ-8JUG9",
        "1",
    )


@pytest.mark.asyncio
async def test_search_status_filter(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    """``status`` (seed 001's query parameter) filters; it never silently answers every charge."""
    account = await seed_account(db_session, 3121)
    await create_charge(db_session, account, external_id="a", status=S.CAPTURED)
    await create_charge(db_session, account, external_id="b", status=S.SYSTEM_CANCELLED)

    cancelled = await connector_client.get("/v1/api/accounts/3121/charges?status=cancelled")
    assert_answers(cancelled, 200)
    assert [r["charge_id"] for r in cancelled.json()["results"]] == ["b"]
    csv = await connector_client.get(
        "/v1/api/accounts/3121/charges?status=cancelled", headers={"Accept": "text/csv"}
    )
    assert [line.split(",")[4] for line in csv.text.strip().splitlines()[1:]] == ["b"]

    invalid = "Invalid parameters: status. See Public API documentation for the correct data formats"
    for query in ("status=nonsense", "status=cancelled&state=success"):
        response = await connector_client.get(f"/v1/api/accounts/3121/charges?{query}")
        assert_answers(response, 400, {"message": message(invalid)})
