"""GET /v1/payments/{id} and /events through publicapi → connector → PostgreSQL (§e, §f.1, §f.2)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from tests.factories import create_account
from tests.publicapi.conftest import PUBLICAPI_BASE_URL, issue_api_key
from tests.publicapi.factories import create_charge

pytestmark = pytest.mark.asyncio


async def test_gets_a_created_payment(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await publicapi_client.post(
        "/v1/payments",
        json={"amount": 500, "reference": "R1", "description": "D1", "return_url": "https://s.example/r"},
        headers=auth_headers,
    )
    payment_id = created.json()["payment_id"]

    response = await publicapi_client.get(f"/v1/payments/{payment_id}", headers=auth_headers)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    payment = response.json()
    assert payment["payment_id"] == payment_id
    assert payment["amount"] == 500
    assert payment["state"] == {"status": "created", "finished": False}
    assert payment["payment_provider"] == "sandbox"
    assert payment["refund_summary"] == {"status": "pending", "amount_available": 500, "amount_submitted": 0}
    assert payment["_links"]["self"]["href"] == f"{PUBLICAPI_BASE_URL}/v1/payments/{payment_id}"
    assert payment["_links"]["next_url"]["href"]
    assert "provider_id" not in payment  # nothing empty is shown


async def test_captured_payment_has_card_details_and_no_cancel_link(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(
        db_session,
        sandbox_account,
        status="CAPTURED",
        gateway_transaction_id="gw-123",
        card_brand="visa",
        card_type="DEBIT",
        cardholder_name="Ada Lovelace",
        last_digits_card_number="4242",
        first_digits_card_number="424242",
        expiry_date="12/30",
        address_line1="1 Street",
        address_city="Town",
        address_postcode="AB1 2CD",
        address_country="GB",
        email="ada@example.org",
    )

    response = await publicapi_client.get(f"/v1/payments/{charge.external_id}", headers=auth_headers)

    assert response.status_code == 200, response.text
    payment = response.json()
    assert payment["state"] == {"status": "success", "finished": True}
    assert payment["provider_id"] == "gw-123"
    card = payment["card_details"]
    assert card["last_digits_card_number"] == "4242"
    assert card["first_digits_card_number"] == "424242"
    assert card["cardholder_name"] == "Ada Lovelace"
    assert card["expiry_date"] == "12/30"
    assert card["billing_address"] == {
        "line1": "1 Street",
        "city": "Town",
        "postcode": "AB1 2CD",
        "country": "GB",
    }
    assert card["wallet_type"] is None  # every card key is present, null allowed
    assert payment["card_brand"] == card["card_brand"]
    assert set(payment["_links"]) == {"self", "events", "refunds"}


async def test_unknown_payment_is_p0200(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.get("/v1/payments/doesnotexist0000000000000", headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": "P0200", "description": "Not found"}


async def test_another_accounts_payment_is_not_found(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
) -> None:
    other = await create_account(db_session)
    charge = await create_charge(db_session, other)

    response = await publicapi_client.get(f"/v1/payments/{charge.external_id}", headers=auth_headers)
    other_key = await issue_api_key(connector_client, other.id)
    owner_response = await publicapi_client.get(
        f"/v1/payments/{charge.external_id}", headers={"Authorization": f"Bearer {other_key}"}
    )

    assert response.status_code == 404
    assert owner_response.status_code == 200


async def test_events_list_every_state_the_payment_went_through(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(
        db_session,
        sandbox_account,
        status="AUTHORISATION REJECTED",
        history=("CREATED", "ENTERING CARD DETAILS", "AUTHORISATION READY"),
    )

    response = await publicapi_client.get(f"/v1/payments/{charge.external_id}/events", headers=auth_headers)

    assert response.status_code == 200, response.text
    body = response.json()
    payment_url = f"{PUBLICAPI_BASE_URL}/v1/payments/{charge.external_id}"
    assert body["payment_id"] == charge.external_id
    assert body["_links"] == {"self": {"href": f"{payment_url}/events", "method": "GET"}}
    states = [event["state"]["status"] for event in body["events"]]
    assert states[0] == "created"
    assert states[-1] == "failed"
    assert body["events"][-1]["state"]["code"] == "P0010"
    for event in body["events"]:
        assert event["payment_id"] == charge.external_id
        assert event["updated"]
        assert event["_links"] == {"payment_url": {"href": payment_url, "method": "GET"}}


async def test_events_of_unknown_payment_is_p0300(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.get(
        "/v1/payments/doesnotexist0000000000000/events", headers=auth_headers
    )

    assert response.status_code == 404
    assert response.json() == {"code": "P0300", "description": "Not found"}


async def test_an_id_holding_nul_is_not_found(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.get("/v1/payments/a%00b", headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": "P0200", "description": "Not found"}
