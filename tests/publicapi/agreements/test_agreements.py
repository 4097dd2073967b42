"""/v1/agreements through publicapi → connector → PostgreSQL (publicapi.md §d.4, §e, §f.6)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from tests.connector.authorisation.cards import card_body
from tests.factories import create_account, create_agreement
from tests.publicapi.conftest import PUBLICAPI_BASE_URL, issue_api_key

pytestmark = pytest.mark.asyncio

BODY = {"reference": "CT-22-23-0001", "description": "Council tax 2022/23", "user_identifier": "user-1"}


@pytest_asyncio.fixture
async def recurring_account(db_session: AsyncSession) -> GatewayAccount:
    return await create_account(db_session, recurring_enabled=True)


@pytest_asyncio.fixture
async def headers(connector_client: httpx.AsyncClient, recurring_account: GatewayAccount) -> dict[str, str]:
    return {"Authorization": f"Bearer {await issue_api_key(connector_client, recurring_account.id)}"}


async def test_create_answers_the_new_agreement(
    publicapi_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await publicapi_client.post("/v1/agreements", json=BODY, headers=headers)

    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {
        "agreement_id",
        "reference",
        "description",
        "status",
        "created_date",
        "user_identifier",
    }
    assert body["status"] == "created"
    assert body["reference"] == BODY["reference"]
    fetched = await publicapi_client.get(f"/v1/agreements/{body['agreement_id']}", headers=headers)
    assert fetched.json() == body


async def test_account_without_recurring_payments_is_p0942(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.post("/v1/agreements", json=BODY, headers=auth_headers)
    assert response.status_code == 422
    assert response.json() == {
        "code": "P0942",
        "description": "Recurring card payments are currently disabled for this service. Contact support "
        "with your error code - https://www.payments.service.gov.uk/support/",
    }


@pytest.mark.parametrize(
    ("body", "status", "code", "description"),
    [
        ({"description": "d"}, 400, "P2101", "Missing mandatory attribute: reference"),
        ({"reference": " ", "description": "d"}, 400, "P2101", "Missing mandatory attribute: reference"),
        ({"reference": "r"}, 400, "P2101", "Missing mandatory attribute: description"),
        (
            {"reference": 12, "description": "d"},
            400,
            "P2102",
            "Invalid attribute value: reference. Must be a valid string format",
        ),
        (
            {"reference": "a<b", "description": "d"},
            400,
            "P2102",
            "Invalid attribute value: reference. Must be a valid string format",
        ),
        (
            {"reference": "r", "description": "d", "user_identifier": 5},
            400,
            "P2102",
            "Invalid attribute value: user_identifier. Field must be a string",
        ),
        (
            {"reference": "r" * 256, "description": "d"},
            422,
            "P0102",
            "Invalid attribute value: reference. Must be less than or equal to 255 characters length",
        ),
        (
            {"reference": "r", "description": "d", "user_identifier": ""},
            422,
            "P0102",
            "Invalid attribute value: user_identifier. Must be less than or equal to 255 characters length",
        ),
    ],
)
async def test_invalid_bodies_have_the_documented_errors(
    publicapi_client: httpx.AsyncClient,
    headers: dict[str, str],
    body: dict[str, Any],
    status: int,
    code: str,
    description: str,
) -> None:
    response = await publicapi_client.post("/v1/agreements", json=body, headers=headers)
    assert response.status_code == status
    assert (response.json()["code"], response.json()["description"]) == (code, description)


async def test_unparsable_body_is_p2197(publicapi_client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await publicapi_client.post("/v1/agreements", content=b"{nope", headers=headers)
    assert response.status_code == 400
    assert response.json() == {"code": "P2197", "description": "Unable to parse JSON"}


async def test_unknown_agreement_is_p2200_and_cancel_p2500(
    publicapi_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    read = await publicapi_client.get("/v1/agreements/nosuchagreement", headers=headers)
    cancel = await publicapi_client.post("/v1/agreements/nosuchagreement/cancel", headers=headers)
    assert (read.status_code, read.json()) == (404, {"code": "P2200", "description": "Not found"})
    assert (cancel.status_code, cancel.json()) == (404, {"code": "P2500", "description": "Not found"})


async def test_cancel_of_an_agreement_not_active_is_p2501(
    publicapi_client: httpx.AsyncClient,
    headers: dict[str, str],
    db_session: AsyncSession,
    recurring_account: GatewayAccount,
) -> None:
    agreement = await create_agreement(db_session, recurring_account, status="CREATED")
    response = await publicapi_client.post(f"/v1/agreements/{agreement.external_id}/cancel", headers=headers)
    assert response.status_code == 400
    assert response.json() == {"code": "P2501", "description": "Cancellation of agreement failed"}


async def test_search_filters_pages_and_links(
    publicapi_client: httpx.AsyncClient,
    headers: dict[str, str],
    db_session: AsyncSession,
    recurring_account: GatewayAccount,
) -> None:
    for _ in range(3):
        await create_agreement(db_session, recurring_account, reference="MONTHLY")
    await create_agreement(db_session, recurring_account, status="CREATED", reference="OTHER")

    page = await publicapi_client.get(
        "/v1/agreements", params={"status": "active", "display_size": "2", "page": "2"}, headers=headers
    )
    by_reference = await publicapi_client.get(
        "/v1/agreements", params={"reference": "other"}, headers=headers
    )

    assert page.status_code == 200, page.text
    body = page.json()
    assert (body["total"], body["count"], body["page"]) == (3, 1, 2)
    assert body["results"][0]["status"] == "active"
    instrument = body["results"][0]["payment_instrument"]
    assert instrument["type"] == "card"
    assert instrument["card_details"]["last_digits_card_number"] == "4242"
    assert body["_links"]["prev_page"] == {
        "href": f"{PUBLICAPI_BASE_URL}/v1/agreements?status=active&display_size=2&page=1"
    }
    assert "next_page" not in body["_links"]
    assert [item["reference"] for item in by_reference.json()["results"]] == ["OTHER"]


async def test_search_validation_and_page_not_found(
    publicapi_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    invalid = await publicapi_client.get(
        "/v1/agreements", params={"status": "ACTIVE", "display_size": "501"}, headers=headers
    )
    beyond = await publicapi_client.get("/v1/agreements", params={"page": "2"}, headers=headers)
    assert invalid.status_code == 422
    assert invalid.json() == {
        "code": "P2401",
        "description": "Invalid parameters: status, display_size. See Public API documentation for the "
        "correct data formats",
    }
    assert (beyond.status_code, beyond.json()) == (404, {"code": "P2402", "description": "Page not found"})


async def test_integration_guide_set_up_then_cancel(
    publicapi_client: httpx.AsyncClient, connector_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    """Seed 003's order: create agreement → set-up payment through the card pages → the
    agreement is active with the card → cancel → cancelled."""
    agreement = (await publicapi_client.post("/v1/agreements", json=BODY, headers=headers)).json()
    agreement_id = agreement["agreement_id"]
    payment = await publicapi_client.post(
        "/v1/payments",
        json={
            "amount": 2000,
            "reference": "first-instalment",
            "description": "Council tax",
            "return_url": "https://service.example/return",
            "set_up_agreement": agreement_id,
        },
        headers=headers,
    )
    assert payment.status_code == 201, payment.text
    payment_id = payment.json()["payment_id"]
    assert (
        await connector_client.post(f"/v1/frontend/charges/{payment_id}/cards", json=card_body())
    ).status_code == 200
    assert (await connector_client.post(f"/v1/frontend/charges/{payment_id}/capture")).status_code == 204

    active = (await publicapi_client.get(f"/v1/agreements/{agreement_id}", headers=headers)).json()
    assert active["status"] == "active"
    assert active["payment_instrument"]["card_details"]["card_brand"] == "visa"
    assert active["payment_instrument"]["card_details"]["last_digits_card_number"] == "4242"

    cancelled = await publicapi_client.post(f"/v1/agreements/{agreement_id}/cancel", headers=headers)
    assert cancelled.status_code == 204
    after = (await publicapi_client.get(f"/v1/agreements/{agreement_id}", headers=headers)).json()
    assert after["status"] == "cancelled"
    assert "cancelled_date" in after


async def test_set_up_payment_for_an_unknown_agreement_is_p0102(
    publicapi_client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await publicapi_client.post(
        "/v1/payments",
        json={
            "amount": 2000,
            "reference": "ref",
            "description": "desc",
            "return_url": "https://service.example/return",
            "set_up_agreement": "a" * 26,
        },
        headers=headers,
    )
    assert response.status_code == 400
    assert response.json() == {
        # connector answers 400 (connector.md §4.2 step 11), which publicapi names agreement_id (§e).
        "field": "agreement_id",
        "code": "P0102",
        "description": "Invalid attribute value: agreement_id. Agreement does not exist",
    }
