"""Cancel and capture through publicapi → connector → PostgreSQL (publicapi.md §e)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccount
from tests.publicapi.factories import create_charge

pytestmark = pytest.mark.asyncio

UNKNOWN = "doesnotexist0000000000000"


async def _status_of(db_session: AsyncSession, charge: Charge) -> str:
    await db_session.refresh(charge)
    return charge.status


async def test_cancels_a_created_payment(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    created = await publicapi_client.post(
        "/v1/payments",
        json={"amount": 500, "reference": "R1", "description": "D1", "return_url": "https://s.example/r"},
        headers=auth_headers,
    )
    payment_id = created.json()["payment_id"]

    response = await publicapi_client.post(f"/v1/payments/{payment_id}/cancel", headers=auth_headers)

    assert response.status_code == 204
    assert response.content == b""
    payment = (await publicapi_client.get(f"/v1/payments/{payment_id}", headers=auth_headers)).json()
    assert payment["state"]["status"] == "cancelled"
    assert payment["state"]["finished"] is True
    assert "cancel" not in payment["_links"]


async def test_cancelling_a_finished_payment_fails(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(db_session, sandbox_account, status="USER CANCELLED", history=("CREATED",))

    response = await publicapi_client.post(f"/v1/payments/{charge.external_id}/cancel", headers=auth_headers)

    assert response.status_code == 400
    assert response.json() == {"code": "P0501", "description": "Cancellation of payment failed"}


async def test_cancelling_an_unknown_payment_is_p0500(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.post(f"/v1/payments/{UNKNOWN}/cancel", headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": "P0500", "description": "Not found"}


async def test_captures_a_delayed_capture_payment(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(
        db_session,
        sandbox_account,
        status="AWAITING CAPTURE REQUEST",
        history=("CREATED", "ENTERING CARD DETAILS", "AUTHORISATION READY", "AUTHORISATION SUCCESS"),
        delayed_capture=True,
        gateway_transaction_id="gw-1",
    )
    before = (await publicapi_client.get(f"/v1/payments/{charge.external_id}", headers=auth_headers)).json()

    response = await publicapi_client.post(f"/v1/payments/{charge.external_id}/capture", headers=auth_headers)

    assert before["state"]["status"] == "capturable"
    assert before["_links"]["capture"]["method"] == "POST"
    assert before["_links"]["capture"]["href"].endswith(f"/v1/payments/{charge.external_id}/capture")
    assert response.status_code == 204
    assert await _status_of(db_session, charge) in {"CAPTURE APPROVED", "CAPTURE SUBMITTED", "CAPTURED"}
    after = (await publicapi_client.get(f"/v1/payments/{charge.external_id}", headers=auth_headers)).json()
    assert "capture" not in after["_links"]


async def test_capturing_a_payment_not_awaiting_capture_fails(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    charge = await create_charge(db_session, sandbox_account, status="CREATED")

    response = await publicapi_client.post(f"/v1/payments/{charge.external_id}/capture", headers=auth_headers)

    assert response.status_code == 409
    assert response.json() == {"code": "P1003", "description": "Payment cannot be captured"}
    assert await _status_of(db_session, charge) == "CREATED"


async def test_capturing_an_unknown_payment_is_p1000(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.post(f"/v1/payments/{UNKNOWN}/capture", headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": "P1000", "description": "Not found"}
