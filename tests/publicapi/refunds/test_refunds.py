"""Refunds of a payment through publicapi → connector → PostgreSQL (publicapi.md §d.3, §e, §f.3)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccount, Refund
from tests.factories import create_account
from tests.publicapi.conftest import PUBLICAPI_BASE_URL, issue_api_key
from tests.publicapi.factories import create_charge, create_refund

pytestmark = pytest.mark.asyncio

UNKNOWN = "doesnotexist0000000000000"
CAPTURED_HISTORY = (
    "CREATED",
    "ENTERING CARD DETAILS",
    "AUTHORISATION READY",
    "AUTHORISATION SUCCESS",
    "CAPTURE APPROVED",
    "CAPTURE READY",
    "CAPTURE SUBMITTED",
)


async def captured(db_session: AsyncSession, account: GatewayAccount, amount: int = 1000) -> Charge:
    return await create_charge(
        db_session,
        account,
        status="CAPTURED",
        history=CAPTURED_HISTORY,
        amount=amount,
        gateway_transaction_id="gw-1",
    )


async def refunds_of(db_session: AsyncSession, charge: Charge) -> list[Refund]:
    rows = await db_session.scalars(select(Refund).where(Refund.charge_external_id == charge.external_id))
    return list(rows)


async def test_submits_a_refund_and_reads_it_back(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await captured(db_session, sandbox_account)
    payment_url = f"{PUBLICAPI_BASE_URL}/v1/payments/{charge.external_id}"

    response = await publicapi_client.post(
        f"/v1/payments/{charge.external_id}/refunds",
        json={"amount": 300, "refund_amount_available": 1000},
        headers=auth_headers,
    )

    assert response.status_code == 202, response.text
    refund = response.json()
    refund_id = refund["refund_id"]
    assert refund["amount"] == 300
    assert refund["status"] in ("submitted", "success")
    assert refund["created_date"]
    assert "settlement_summary" not in refund
    assert refund["_links"] == {
        "self": {"href": f"{payment_url}/refunds/{refund_id}", "method": "GET"},
        "payment": {"href": payment_url, "method": "GET"},
    }
    assert [r.amount for r in await refunds_of(db_session, charge)] == [300]

    one = await publicapi_client.get(
        f"/v1/payments/{charge.external_id}/refunds/{refund_id}", headers=auth_headers
    )
    assert one.status_code == 200
    assert one.json()["settlement_summary"] == {}
    assert one.json()["refund_id"] == refund_id

    listing = await publicapi_client.get(f"/v1/payments/{charge.external_id}/refunds", headers=auth_headers)
    assert listing.status_code == 200
    body = listing.json()
    assert body["payment_id"] == charge.external_id
    assert body["_links"]["self"] == {"href": f"{payment_url}/refunds", "method": "GET"}
    assert [r["refund_id"] for r in body["_embedded"]["refunds"]] == [refund_id]

    payment = (await publicapi_client.get(f"/v1/payments/{charge.external_id}", headers=auth_headers)).json()
    assert payment["refund_summary"]["amount_submitted"] == 300
    assert payment["refund_summary"]["amount_available"] == 700


async def test_without_amount_available_the_payment_is_read_first(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
    connector_requests: list[httpx.Request],
) -> None:
    charge = await captured(db_session, sandbox_account)
    await create_refund(db_session, charge, amount=400)

    response = await publicapi_client.post(
        f"/v1/payments/{charge.external_id}/refunds", json={"amount": 100}, headers=auth_headers
    )

    assert response.status_code == 202, response.text
    sent = [r for r in connector_requests if r.method == "POST" and r.url.path.endswith("/refunds")]
    assert sent[0].read() == b'{"amount":100,"refund_amount_available":600}'


async def test_stale_amount_available_is_p0604(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await captured(db_session, sandbox_account)

    response = await publicapi_client.post(
        f"/v1/payments/{charge.external_id}/refunds",
        json={"amount": 100, "refund_amount_available": 999},
        headers=auth_headers,
    )

    assert response.status_code == 412
    assert response.json() == {"code": "P0604", "description": "Refund amount available mismatch."}
    assert await refunds_of(db_session, charge) == []


async def test_unrefundable_payment_is_p0603_with_its_refund_status(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(db_session, sandbox_account, status="CREATED")

    response = await publicapi_client.post(
        f"/v1/payments/{charge.external_id}/refunds",
        json={"amount": 100, "refund_amount_available": 1000},
        headers=auth_headers,
    )

    assert response.status_code == 400
    assert response.json() == {
        "code": "P0603",
        "description": "The payment is not available for refund. Payment refund status: pending",
    }


async def test_disabled_account_is_p0941(
    publicapi_client: httpx.AsyncClient, connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, disabled=True)
    charge = await captured(db_session, account)
    key = await issue_api_key(connector_client, account.id)

    response = await publicapi_client.post(
        f"/v1/payments/{charge.external_id}/refunds",
        json={"amount": 100, "refund_amount_available": 1000},
        headers={"Authorization": f"Bearer {key}"},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "P0941"


async def test_unknown_payment_refund_errors(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    submit = await publicapi_client.post(
        f"/v1/payments/{UNKNOWN}/refunds",
        json={"amount": 1, "refund_amount_available": 1},
        headers=auth_headers,
    )
    submit_without_available = await publicapi_client.post(
        f"/v1/payments/{UNKNOWN}/refunds", json={"amount": 1}, headers=auth_headers
    )
    listing = await publicapi_client.get(f"/v1/payments/{UNKNOWN}/refunds", headers=auth_headers)
    one = await publicapi_client.get(f"/v1/payments/{UNKNOWN}/refunds/{UNKNOWN}", headers=auth_headers)

    assert (submit.status_code, submit.json()) == (404, {"code": "P0600", "description": "Not found"})
    # Without the client's figure the payment is read first: its not-found is get-payment's.
    assert (submit_without_available.status_code, submit_without_available.json()["code"]) == (404, "P0200")
    assert (listing.status_code, listing.json()) == (404, {"code": "P0800", "description": "Not found"})
    assert (one.status_code, one.json()) == (404, {"code": "P0700", "description": "Not found"})


async def test_unknown_refund_of_known_payment_is_p0700(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await captured(db_session, sandbox_account)

    response = await publicapi_client.get(
        f"/v1/payments/{charge.external_id}/refunds/{UNKNOWN}", headers=auth_headers
    )

    assert response.status_code == 404
    assert response.json() == {"code": "P0700", "description": "Not found"}


def missing_amount() -> dict[str, str]:
    return {"field": "amount", "code": "P0601", "description": "Missing mandatory attribute: amount"}


def invalid_amount(detail: str) -> dict[str, str]:
    return {"field": "amount", "code": "P0602", "description": f"Invalid attribute value: amount. {detail}"}


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        ({}, 400, missing_amount()),
        ({"amount": None}, 400, missing_amount()),
        ({"amount": "100"}, 400, invalid_amount("Must be a valid numeric format")),
        ({"amount": 1.5}, 400, invalid_amount("Must be a valid numeric format")),
        ({"amount": 0}, 422, invalid_amount("Must be greater than or equal to 1")),
        ({"amount": 10_000_001}, 422, invalid_amount("Must be less than or equal to 10000000")),
    ],
)
async def test_invalid_refund_body(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    connector_requests: list[httpx.Request],
    body: dict[str, Any],
    status: int,
    expected: dict[str, str],
) -> None:
    response = await publicapi_client.post("/v1/payments/any/refunds", json=body, headers=auth_headers)

    assert response.status_code == status
    assert response.json() == expected
    assert not [r for r in connector_requests if "/refunds" in r.url.path]


async def test_unparsable_refund_body_is_p0697(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.post(
        "/v1/payments/any/refunds",
        content=b"{amount",
        headers={**auth_headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json() == {"code": "P0697", "description": "Unable to parse JSON"}
