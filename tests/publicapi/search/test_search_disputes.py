"""GET /v1/disputes through publicapi → connector's dispute search → PostgreSQL.

Disputes come from the provider (Stripe's ``charge.dispute.*`` webhooks, tested with the Stripe
adapter) or, on the sandbox, from the test hook: a payment made with a dispute card is disputed
once captured. The first tests take that whole path: payment pages, capture job, event stream.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings
from connector.disputes import repository
from connector.disputes.schemas import DisputeRecord, dispute_external_id
from connector.models import Charge, GatewayAccount
from tests.factories import create_account
from tests.frontend.conftest import PaymentFactory, pay_through_pages
from tests.jobs import drain
from tests.publicapi.conftest import PUBLICAPI_BASE_URL, issue_api_key
from tests.publicapi.factories import create_charge

pytestmark = pytest.mark.asyncio

NEEDS_RESPONSE_CARD = "4000 0000 0000 0259"
LOST_CARD = "4000 0000 0000 2685"


async def _pay_and_capture(
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
    account: GatewayAccount,
    settings: Settings,
    card: str,
) -> str:
    payment = await new_payment(account, amount=4200)
    assert (await pay_through_pages(browser, payment, cardNo=card)).status_code == 303
    await drain(settings)  # capture, then the event stream's consumers
    return payment.charge_id


async def test_a_sandbox_payment_with_the_dispute_card_is_disputed_after_capture(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    connector_settings: Settings,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    disputed = await _pay_and_capture(
        browser, new_payment, sandbox_account, connector_settings, NEEDS_RESPONSE_CARD
    )
    await _pay_and_capture(browser, new_payment, sandbox_account, connector_settings, "4242 4242 4242 4242")

    response = await publicapi_client.get("/v1/disputes", headers=auth_headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["count"], body["page"]) == (1, 1, 1)
    [dispute] = body["results"]
    assert dispute["payment_id"] == disputed
    assert dispute["dispute_id"] == dispute_external_id(f"sandbox_dp_{disputed}")
    assert len(dispute["dispute_id"]) == 26
    assert (dispute["amount"], dispute["fee"], dispute["status"], dispute["reason"]) == (
        4200,
        2000,
        "needs_response",
        "fraudulent",
    )
    assert "net_amount" not in dispute, "net_amount is only shown for a lost dispute"
    due = datetime.fromisoformat(dispute["evidence_due_date"].replace("Z", "+00:00"))
    assert due > datetime.now(UTC) + timedelta(days=20)
    assert dispute["_links"] == {
        "payment": {"href": f"{PUBLICAPI_BASE_URL}/v1/payments/{disputed}", "method": "GET"}
    }
    assert set(body["links"]) == {"self", "first_page", "last_page"}, "the key is links, no underscore"

    payment = await publicapi_client.get(f"/v1/payments/{disputed}", headers=auth_headers)
    assert payment.json()["state"]["status"] == "success"


async def test_the_lost_dispute_card_gives_a_lost_dispute_with_its_net_amount(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    connector_settings: Settings,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    await _pay_and_capture(browser, new_payment, sandbox_account, connector_settings, LOST_CARD)
    await drain(connector_settings)  # nothing new: a redelivery adds no second dispute

    body = (
        await publicapi_client.get("/v1/disputes", params={"status": "lost"}, headers=auth_headers)
    ).json()

    assert body["total"] == 1
    [dispute] = body["results"]
    assert (dispute["status"], dispute["amount"], dispute["fee"], dispute["net_amount"]) == (
        "lost",
        4200,
        2000,
        -6200,
    )
    assert "evidence_due_date" not in dispute
    none_open = await publicapi_client.get(
        "/v1/disputes", params={"status": "needs_response"}, headers=auth_headers
    )
    assert none_open.json()["total"] == 0


async def _dispute(
    session: AsyncSession, charge: Charge, gateway_id: str, status: str, **payload: Any
) -> None:
    await repository.upsert(
        session,
        DisputeRecord(
            gateway_dispute_id=gateway_id,
            charge_id=charge.id,
            payment_intent_id=None,
            amount=charge.amount,
            reason="duplicate",
            status=status,
            evidence_due_date=None,
            event_type="charge.dispute.created",
            payload={"id": gateway_id, **payload},
        ),
    )
    await session.commit()


async def test_only_the_keys_account_disputes_are_listed(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    connector_client: httpx.AsyncClient,
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    ours = await create_charge(db_session, sandbox_account, status="CAPTURED")
    other_account = await create_account(db_session)
    theirs = await create_charge(db_session, other_account, status="CAPTURED")
    await _dispute(db_session, ours, "dp_ours", "under_review")
    await _dispute(db_session, theirs, "dp_theirs", "warning_needs_response")

    mine = (await publicapi_client.get("/v1/disputes", headers=auth_headers)).json()
    other_key = await issue_api_key(connector_client, other_account.id)
    other = (
        await publicapi_client.get("/v1/disputes", headers={"Authorization": f"Bearer {other_key}"})
    ).json()

    assert [(d["payment_id"], d["status"]) for d in mine["results"]] == [(ours.external_id, "under_review")]
    assert [(d["payment_id"], d["status"]) for d in other["results"]] == [
        (theirs.external_id, "needs_response")
    ]


async def test_pages_and_their_links(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    for n in range(5):
        charge = await create_charge(db_session, sandbox_account, status="CAPTURED")
        await _dispute(db_session, charge, f"dp_{n}", "won")

    response = await publicapi_client.get(
        "/v1/disputes", params={"status": "won", "display_size": "2", "page": "2"}, headers=auth_headers
    )

    body = response.json()
    assert (body["total"], body["count"], body["page"]) == (5, 2, 2)
    links = body["links"]
    assert set(links) == {"self", "first_page", "last_page", "prev_page", "next_page"}
    assert links["next_page"]["href"] == f"{PUBLICAPI_BASE_URL}/v1/disputes?status=won&display_size=2&page=3"
    assert links["last_page"]["href"].endswith("page=3")
    beyond = await publicapi_client.get("/v1/disputes", params={"page": "9"}, headers=auth_headers)
    assert (beyond.status_code, beyond.json()) == (404, {"code": "P0402", "description": "Page not found"})


async def test_dates_filter_and_settled_dates_match_nothing_yet(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(db_session, sandbox_account, status="CAPTURED")
    await _dispute(db_session, charge, "dp_dated", "lost")
    now = datetime.now(UTC)
    past = (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    future = (now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    async def total(**params: str) -> int:
        response = await publicapi_client.get("/v1/disputes", params=params, headers=auth_headers)
        assert response.status_code == 200, response.text
        found: int = response.json()["total"]
        return found

    assert await total(from_date=past, to_date=future) == 1
    assert await total(from_date=future) == 0
    assert await total(to_date=past) == 0
    assert await total(from_settled_date="2020-01-01") == 0


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"status": "open"}, "state"),
        ({"status": "LOST"}, "state"),
        ({"from_date": "yesterday"}, "from_date"),
        ({"to_settled_date": "2022-13-01"}, "to_settled_date"),
        ({"page": "0", "display_size": "501"}, "page, display_size"),
        ({"status": "x", "from_date": "y"}, "from_date, state"),
        ({"from_date": "2022-01-01T00:00:00Z\x00"}, "from_date"),
    ],
)
async def test_bad_parameters_are_p0401_naming_each(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, str], names: str
) -> None:
    response = await publicapi_client.get("/v1/disputes", params=params, headers=auth_headers)

    assert response.status_code == 422
    assert response.json() == {
        "code": "P0401",
        "description": f"Invalid parameters: {names}. See Public API documentation for the correct data formats",
    }


async def test_without_an_api_key_is_401(publicapi_client: httpx.AsyncClient) -> None:
    assert (await publicapi_client.get("/v1/disputes")).status_code == 401
