"""GET /v1/refunds through publicapi → connector refund search → PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from tests.factories import create_account
from tests.publicapi.conftest import PUBLICAPI_BASE_URL
from tests.publicapi.factories import create_charge, create_refund

pytestmark = pytest.mark.asyncio


async def test_lists_the_accounts_refunds(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(db_session, sandbox_account, status="CAPTURED")
    refund = await create_refund(db_session, charge, amount=250)
    other_charge = await create_charge(db_session, await create_account(db_session), status="CAPTURED")
    await create_refund(db_session, other_charge)

    response = await publicapi_client.get("/v1/refunds", headers=auth_headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["total"], body["count"], body["page"]) == (1, 1, 1)
    payment_url = f"{PUBLICAPI_BASE_URL}/v1/payments/{charge.external_id}"
    assert body["results"] == [
        {
            "refund_id": refund.external_id,
            "created_date": body["results"][0]["created_date"],
            "payment_id": charge.external_id,
            "amount": 250,
            "status": "success",
            "settlement_summary": {},
            "_links": {
                "self": {"href": f"{payment_url}/refunds/{refund.external_id}", "method": "GET"},
                "payment": {"href": payment_url, "method": "GET"},
            },
        }
    ]
    assert body["_links"]["self"]["href"].startswith(f"{PUBLICAPI_BASE_URL}/v1/refunds?")


async def test_filters_by_date(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(db_session, sandbox_account, status="CAPTURED")
    await create_refund(db_session, charge)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat().replace("+00:00", "Z")

    response = await publicapi_client.get("/v1/refunds", params={"from_date": future}, headers=auth_headers)

    assert response.json()["total"] == 0


async def test_page_past_the_end_is_p1100(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.get("/v1/refunds", params={"page": "2"}, headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": "P1100", "description": "Page not found"}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"from_date": "yesterday"}, "from_date"),
        ({"to_date": "2015-08-13"}, "to_date"),
        ({"from_settled_date": "13/08/2015"}, "from_settled_date"),
        ({"to_settled_date": "2015-02-30"}, "to_settled_date"),
        ({"page": "0"}, "page"),
        ({"display_size": "0"}, "display_size"),
        ({"display_size": "x", "from_date": "x", "page": "x"}, "from_date, page, display_size"),
    ],
)
async def test_invalid_parameters_are_p1101(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, str], names: str
) -> None:
    response = await publicapi_client.get("/v1/refunds", params=params, headers=auth_headers)

    assert response.status_code == 422
    assert response.json() == {
        "code": "P1101",
        "description": f"Invalid parameters: {names}. See Public API documentation for the correct data formats",
    }
