"""POST /v1/payments through publicapi → connector → PostgreSQL (publicapi.md §d.2, §e, §g, §i)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccount
from tests.factories import create_account
from tests.publicapi.conftest import PUBLICAPI_BASE_URL, issue_api_key

pytestmark = pytest.mark.asyncio

VALID = {
    "amount": 1200,
    "reference": "INV-1",
    "description": "Pay your council tax",
    "return_url": "https://service.example/return",
}


async def test_creates_a_payment_with_public_links_and_location(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], db_session: AsyncSession
) -> None:
    response = await publicapi_client.post("/v1/payments", json=VALID, headers=auth_headers)

    assert response.status_code == 201, response.text
    payment = response.json()
    payment_id = payment["payment_id"]
    self_url = f"{PUBLICAPI_BASE_URL}/v1/payments/{payment_id}"
    assert response.headers["location"] == self_url
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert payment["amount"] == 1200
    assert payment["reference"] == "INV-1"
    assert payment["description"] == "Pay your council tax"
    assert payment["return_url"] == "https://service.example/return"
    assert payment["state"] == {"status": "created", "finished": False}
    assert payment["language"] == "en"
    assert payment["delayed_capture"] is False
    assert payment["moto"] is False
    links = payment["_links"]
    assert links["self"] == {"href": self_url, "method": "GET"}
    assert links["events"] == {"href": f"{self_url}/events", "method": "GET"}
    assert links["refunds"] == {"href": f"{self_url}/refunds", "method": "GET"}
    assert links["cancel"] == {"href": f"{self_url}/cancel", "method": "POST"}
    assert links["next_url"]["method"] == "GET"
    assert links["next_url_post"]["params"]["chargeTokenId"]
    assert links["next_url_post"]["type"] == "application/x-www-form-urlencoded"
    assert "capture" not in links
    stored = await db_session.scalar(select(Charge).where(Charge.external_id == payment_id))
    assert stored is not None
    assert stored.amount == 1200
    assert stored.source == "CARD_API"  # the default source is always sent


async def test_sends_every_optional_field_to_connector(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], db_session: AsyncSession
) -> None:
    body = {
        **VALID,
        "language": "cy",
        "email": "payer@example.org",
        "delayed_capture": True,
        "metadata": {"ledger_code": 123, "fund": "ISIN122038", "cancellable": False},
        "prefilled_cardholder_details": {
            "cardholder_name": "J. Bogs",
            "billing_address": {"line1": "1 Street", "postcode": "AB1 CD2", "city": "Town", "country": "GB"},
        },
    }
    response = await publicapi_client.post("/v1/payments", json=body, headers=auth_headers)

    assert response.status_code == 201, response.text
    payment = response.json()
    assert payment["language"] == "cy"
    assert payment["email"] == "payer@example.org"
    assert payment["delayed_capture"] is True
    assert payment["metadata"] == {"ledger_code": 123, "fund": "ISIN122038", "cancellable": False}
    assert payment["card_details"]["cardholder_name"] == "J. Bogs"
    assert payment["card_details"]["billing_address"] == {
        "line1": "1 Street",
        "postcode": "AB1 CD2",
        "city": "Town",
        "country": "GB",
    }
    stored = await db_session.scalar(select(Charge).where(Charge.external_id == payment["payment_id"]))
    assert stored is not None
    assert stored.address_line1 == "1 Street"
    assert stored.external_metadata == {"ledger_code": 123, "fund": "ISIN122038", "cancellable": False}


async def test_request_id_flows_to_connector(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    connector_requests: list[httpx.Request],
) -> None:
    response = await publicapi_client.post(
        "/v1/payments", json=VALID, headers={**auth_headers, "X-Request-Id": "req-create-123"}
    )

    assert response.status_code == 201
    charge_calls = [r for r in connector_requests if r.url.path.endswith("/charges")]
    assert [r.headers["x-request-id"] for r in charge_calls] == ["req-create-123"]


@pytest.mark.parametrize(
    ("account_fields", "body", "status", "expected"),
    [
        (
            {},
            {**VALID, "moto": True},
            422,
            {
                "code": "P0196",
                "description": "MOTO payments are not enabled for this account. Please contact support if you "
                "would like to process MOTO payments - https://www.payments.service.gov.uk/support/ .",
            },
        ),
        (
            {},
            {**VALID, "amount": 0},
            422,
            {
                "field": "amount",
                "code": "P0102",
                "description": "Invalid attribute value: amount. Must be greater than or equal to 1. "
                "Refer to https://docs.payments.service.gov.uk/making_payments/#amount",
            },
        ),
        (
            {"disabled": True},
            VALID,
            403,
            {
                "code": "P0941",
                "description": "GOV.UK Pay has disabled payment and refund creation on this account. Contact "
                "support with your error code - https://www.payments.service.gov.uk/support/ .",
            },
        ),
        (
            {},
            {key: value for key, value in VALID.items() if key != "return_url"},
            400,
            {"code": "P0101", "description": "Missing mandatory attribute: return_url"},
        ),
        (
            {},
            {**VALID, "return_url": "not a url"},
            422,
            {
                "code": "P0102",
                "description": "Invalid attribute value: return_url. Must be a valid URL format",
            },
        ),
        (
            {"type": "LIVE"},
            {**VALID, "return_url": "http://service.example/return"},
            422,
            {
                "field": "return_url",
                "code": "P0920",
                "description": "Invalid attribute value: return_url. Must begin with https:// for a live "
                "gateway account",
            },
        ),
        (
            {},
            {**VALID, "authorisation_mode": "moto_api", "return_url": None},
            422,
            {
                "code": "P0195",
                "description": "Using authorisation_mode of moto_api is not allowed for this account",
            },
        ),
        (
            {"allow_authorisation_api": True},
            {**VALID, "authorisation_mode": "moto_api"},
            400,
            {"code": "P0104", "description": "Unexpected attribute: return_url"},
        ),
        (
            {},
            {**VALID, "return_url": None, "authorisation_mode": "agreement", "agreement_id": "a" * 26},
            422,
            {
                "code": "P0942",
                "description": "Recurring card payments are currently disabled for this service. Contact support "
                "with your error code - https://www.payments.service.gov.uk/support/",
            },
        ),
        (
            {"recurring_enabled": True},
            {**VALID, "return_url": None, "authorisation_mode": "agreement", "agreement_id": "a" * 26},
            400,
            {
                "field": "agreement_id",
                "code": "P0102",
                "description": "Invalid attribute value: agreement_id. Agreement does not exist",
            },
        ),
        (
            {"recurring_enabled": True},
            {
                **VALID,
                "return_url": None,
                "authorisation_mode": "agreement",
                "agreement_id": "a" * 26,
                "set_up_agreement": "b" * 26,
            },
            400,
            {"code": "P0104", "description": "Unexpected attribute: set_up_agreement"},
        ),
    ],
    ids=[
        "moto-not-allowed",
        "zero-amount",
        "disabled",
        "missing-return-url",
        "invalid-return-url",
        "non-https-live",
        "moto-api-not-allowed",
        "unexpected-return-url",
        "recurring-disabled",
        "agreement-not-found",
        "set-up-agreement-wrong-mode",
    ],
)
async def test_connector_refusals_become_public_errors(
    publicapi_client: httpx.AsyncClient,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    account_fields: dict[str, Any],
    body: dict[str, object],
    status: int,
    expected: dict[str, str],
) -> None:
    account: GatewayAccount = await create_account(db_session, **account_fields)
    key = await issue_api_key(connector_client, account.id)
    body = {name: value for name, value in body.items() if value is not None}

    response = await publicapi_client.post(
        "/v1/payments", json=body, headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == status, response.text
    assert response.json() == expected
    assert await db_session.scalar(select(Charge.id).where(Charge.gateway_account_id == account.id)) is None


async def test_account_without_psp_credentials_is_not_fully_configured(
    publicapi_client: httpx.AsyncClient, connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, credential_state="CREATED")
    key = await issue_api_key(connector_client, account.id)

    response = await publicapi_client.post(
        "/v1/payments", json=VALID, headers={"Authorization": f"Bearer {key}"}
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "P0940",
        "description": "Account is not fully configured. Please refer to documentation to setup your account "
        "or contact support with your error code - https://www.payments.service.gov.uk/support/ .",
    }
