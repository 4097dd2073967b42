"""``POST /v1/api/accounts/{id}/worldpay/check-credentials`` against the stub, and the credential states."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.gateways import registry
from connector.gateways.worldpay.adapter import WorldpayGateway
from tests.connector.gateways.worldpay.conftest import unreachable_worldpay, worldpay_account
from tests.factories import create_account
from tests.stubs.servers import WORLDPAY_USERS

pytestmark = pytest.mark.asyncio
ONE_OFF = WORLDPAY_USERS["one_off_customer_initiated"]


def _check_url(account_id: int) -> str:
    return f"/v1/api/accounts/{account_id}/worldpay/check-credentials"


async def test_valid_and_invalid_credentials(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    account = await worldpay_account(db_session)
    valid = {
        "merchant_id": ONE_OFF["merchant_code"],
        "username": ONE_OFF["username"],
        "password": ONE_OFF["password"],
    }
    response = await connector_client.post(_check_url(account.id), json=valid)
    assert response.status_code == 200
    assert response.json() == {"result": "valid"}
    response = await connector_client.post(_check_url(account.id), json={**valid, "password": "wrong"})
    assert response.status_code == 200
    assert response.json() == {"result": "invalid"}
    assert "wrong" not in response.text


async def test_bad_requests(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    account = await worldpay_account(db_session)
    response = await connector_client.post(_check_url(account.id), json={"username": "u"})
    assert response.status_code == 400
    assert response.json()["message"] == ["Field [merchant_id] is required", "Field [password] is required"]
    sandbox = await create_account(db_session)
    body = {"merchant_id": "m", "username": "u", "password": "p"}
    assert (await connector_client.post(_check_url(sandbox.id), json=body)).status_code == 404
    assert (await connector_client.post(_check_url(999999), json=body)).status_code == 404


async def test_unreachable_worldpay_is_502_not_invalid(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, closed_port: str
) -> None:
    account = await worldpay_account(db_session)
    async with httpx.AsyncClient() as client:
        unreachable = unreachable_worldpay(client, closed_port)
        with registry.override("worldpay", unreachable):
            response = await connector_client.post(
                _check_url(account.id), json={"merchant_id": "m", "username": "u", "password": "p"}
            )
    assert response.status_code == 502


async def test_live_worldpay_credentials_become_active_only_when_usable(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    account = await create_account(
        db_session, payment_provider="worldpay", credential_state="CREATED", type="LIVE"
    )
    charge_body = {
        "amount": 100,
        "reference": "r",
        "description": "d",
        "return_url": "https://service.example/r",
    }
    response = await connector_client.post(f"/v1/api/accounts/{account.id}/charges", json=charge_body)
    assert response.status_code >= 400, "a live account with CREATED credentials must refuse charges"
    credentials = (await connector_client.get(f"/v1/api/accounts/{account.id}")).json()[
        "gateway_account_credentials"
    ]
    credential_id = credentials[0]["gateway_account_credential_id"]
    patch = [
        {"op": "replace", "path": "credentials/worldpay/one_off_customer_initiated", "value": dict(ONE_OFF)}
    ]
    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/credentials/{credential_id}", json=patch
    )
    assert response.status_code == 200
    assert response.json()["state"] == "CREATED"  # live Worldpay needs MOTO or 3DS Flex first (§14.3)
    assert (
        await connector_client.patch(
            f"/v1/api/accounts/{account.id}", json={"op": "replace", "path": "allow_moto", "value": True}
        )
    ).status_code == 200
    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/credentials/{credential_id}", json=patch
    )
    assert response.json()["state"] == "ACTIVE"
    response = await connector_client.post(f"/v1/api/accounts/{account.id}/charges", json=charge_body)
    assert response.status_code == 201
