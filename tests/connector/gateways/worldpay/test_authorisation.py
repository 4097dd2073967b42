"""Worldpay authorisation through ``/cards`` and ``/3ds``, against the stub's real wire format."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.worldpay.adapter import WorldpayGateway
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.worldpay.conftest import stub_order, worldpay_account, worldpay_charge
from tests.factories import create_account
from tests.stubs import worldpay as stub

S = ChargeStatus
pytestmark = pytest.mark.asyncio


async def _authorise(
    client: httpx.AsyncClient, charge_id: str, number: str, **overrides: str
) -> httpx.Response:
    return await client.post(f"/v1/frontend/charges/{charge_id}/cards", json=card_body(number, **overrides))


async def test_authorised_order_uses_the_one_off_merchant_code(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    charge = await worldpay_charge(db_session, await worldpay_account(db_session))
    response = await _authorise(connector_client, charge.external_id, "4444333322221111")
    assert response.status_code == 200
    assert response.json() == {"status": "AUTHORISATION SUCCESS"}
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_SUCCESS
    assert charge.last_digits_card_number == "1111"
    order = await stub_order(stub_client, charge.gateway_transaction_id or "")
    assert order["merchant_code"] == "MERCHANTONEOFF"
    assert order["last_event"] == "AUTHORISED"


async def test_agreement_payment_uses_the_recurring_merchant_initiated_code(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    charge = await worldpay_charge(
        db_session, await worldpay_account(db_session), authorisation_mode="AGREEMENT", status=S.CREATED
    )
    assert (await _authorise(connector_client, charge.external_id, "4444333322221111")).status_code == 200
    await db_session.refresh(charge)
    assert (await stub_order(stub_client, charge.gateway_transaction_id or ""))[
        "merchant_code"
    ] == "MERCHANTRECMIT"


async def test_refused_order_is_a_decline(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    charge = await worldpay_charge(db_session, await worldpay_account(db_session))
    response = await _authorise(connector_client, charge.external_id, stub.REFUSED_CARD)
    assert response.status_code == 400
    assert response.json()["message"] == ["This transaction was declined."]
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_REJECTED


@pytest.mark.parametrize(
    ("number", "holder", "status_code", "status"),
    [
        (stub.ERROR_CARD, "Mr Payment", 402, S.AUTHORISATION_ERROR),
        (stub.SLOW_CARD, "Mr Payment", 402, S.AUTHORISATION_TIMEOUT),
        (stub.HTTP_500_CARD, "Mr Payment", 402, S.AUTHORISATION_UNEXPECTED_ERROR),
        ("4444333322221111", "xxe-internal", 400, S.AUTHORISATION_ERROR),
        ("4444333322221111", "xxe-external", 400, S.AUTHORISATION_ERROR),
        ("4444333322221111", "billion-laughs", 400, S.AUTHORISATION_ERROR),
    ],
)
async def test_gateway_failures_map_to_their_status(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    number: str,
    holder: str,
    status_code: int,
    status: ChargeStatus,
) -> None:
    charge = await worldpay_charge(db_session, await worldpay_account(db_session))
    response = await _authorise(connector_client, charge.external_id, number, cardholder_name=holder)
    assert response.status_code == status_code
    assert "injected" not in response.text
    assert "root:" not in response.text
    assert number not in response.text
    await db_session.refresh(charge)
    assert charge.status == status


async def test_wrong_credentials_are_an_unexpected_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    credentials = {
        "one_off_customer_initiated": {"merchant_code": "X", "username": "nobody", "password": "wrong"}
    }
    account = await create_account(db_session, payment_provider="worldpay", credentials=credentials)
    charge = await worldpay_charge(db_session, account)
    response = await _authorise(connector_client, charge.external_id, "4444333322221111")
    assert response.status_code == 402
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_UNEXPECTED_ERROR


@pytest.mark.parametrize(
    ("number", "pa_response", "final"),
    [
        (stub.THREE_DS1_CARD, stub.PASS_3DS, S.AUTHORISATION_SUCCESS),
        (stub.THREE_DS1_CARD, stub.FAIL_3DS, S.AUTHORISATION_REJECTED),
        (stub.THREE_DS2_CARD, None, S.AUTHORISATION_SUCCESS),
    ],
)
async def test_three_ds_round_trip(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    worldpay_stub: str,
    number: str,
    pa_response: str | None,
    final: ChargeStatus,
) -> None:
    charge = await worldpay_charge(db_session, await worldpay_account(db_session, requires_3ds=True))
    response = await _authorise(connector_client, charge.external_id, number)
    assert response.json() == {"status": "AUTHORISATION 3DS REQUIRED"}
    frontend_view = (await connector_client.get(f"/v1/frontend/charges/{charge.external_id}")).json()
    assert frontend_view["auth_3ds_data"]["issuerUrl"] == f"{worldpay_stub}/issuer"
    assert frontend_view["auth_3ds_data"]["paRequest"].startswith(("stub-pa-request-", "stub-creq-"))
    body = {"pa_response": pa_response} if pa_response else {}
    response = await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/3ds", json=body)
    assert response.json() == {"status": final.value}
    await db_session.refresh(charge)
    assert charge.status == final
