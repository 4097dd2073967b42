"""Worldpay capture, cancel and refunds: acknowledged by Worldpay, finished by its notifications."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import capture_due
from connector.charges.state import ChargeStatus
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Charge, Refund
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.worldpay.conftest import (
    notification_from_stub,
    stub_order,
    worldpay_account,
    worldpay_charge,
)

S = ChargeStatus
pytestmark = pytest.mark.asyncio
NOTIFY = "/v1/api/notifications/worldpay"


async def _authorised_charge(client: httpx.AsyncClient, session: AsyncSession) -> Charge:
    account = await worldpay_account(session)
    charge = await worldpay_charge(session, account)
    response = await client.post(
        f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body("4444333322221111")
    )
    assert response.status_code == 200
    await session.refresh(charge)
    return charge


async def _notify(client: httpx.AsyncClient, document: bytes) -> httpx.Response:
    return await client.post(NOTIFY, content=document, headers={"Content-Type": "text/xml"})


async def _captured_charge(
    client: httpx.AsyncClient, session: AsyncSession, app: FastAPI, stub_client: httpx.AsyncClient
) -> Charge:
    charge = await _authorised_charge(client, session)
    assert (await client.post(f"/v1/frontend/charges/{charge.external_id}/capture")).status_code == 204
    await capture_due(app.state.sessionmaker, app.state.settings)
    await session.refresh(charge)
    assert charge.status == S.CAPTURE_SUBMITTED
    document = await notification_from_stub(stub_client, charge.gateway_transaction_id or "", "CAPTURED")
    response = await _notify(client, document)
    assert response.status_code == 200
    assert response.text == "[OK]"
    await session.refresh(charge)
    return charge


async def test_capture_waits_for_the_captured_notification(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    charge = await _captured_charge(connector_client, db_session, connector_app, stub_client)
    assert charge.status == S.CAPTURED
    assert (await stub_order(stub_client, charge.gateway_transaction_id or ""))["modifications"] == [
        "capture"
    ]
    # Worldpay repeats notifications: the second delivery changes nothing.
    document = await notification_from_stub(stub_client, charge.gateway_transaction_id or "", "CAPTURED")
    assert (await _notify(connector_client, document)).status_code == 200
    await db_session.refresh(charge)
    assert charge.status == S.CAPTURED


async def test_refund_is_submitted_until_the_refunded_notification(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    charge = await _captured_charge(connector_client, db_session, connector_app, stub_client)
    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/refunds",
        json={"amount": 400, "refund_amount_available": 1000},
    )
    assert response.status_code == 202
    refund_id = response.json()["refund_id"]
    refund = await db_session.scalar(select(Refund).where(Refund.external_id == refund_id))
    assert refund is not None
    assert refund.status == "REFUND SUBMITTED"
    document = await notification_from_stub(
        stub_client, charge.gateway_transaction_id or "", "REFUNDED", refund_reference=refund_id
    )
    assert (await _notify(connector_client, document)).status_code == 200
    await db_session.refresh(refund)
    assert refund.status == "REFUNDED"
    # A late REFUND_FAILED for the same refund changes nothing.
    document = await notification_from_stub(
        stub_client, charge.gateway_transaction_id or "", "REFUND_FAILED", refund_reference=refund_id
    )
    assert (await _notify(connector_client, document)).status_code == 200
    await db_session.refresh(refund)
    assert refund.status == "REFUNDED"


async def test_refund_failed_notification_marks_the_refund_in_error(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    charge = await _captured_charge(connector_client, db_session, connector_app, stub_client)
    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/refunds",
        json={"amount": 1000, "refund_amount_available": 1000},
    )
    refund_id = response.json()["refund_id"]
    document = await notification_from_stub(
        stub_client, charge.gateway_transaction_id or "", "REFUND_FAILED", refund_reference=refund_id
    )
    assert (await _notify(connector_client, document)).status_code == 200
    refund = await db_session.scalar(select(Refund).where(Refund.external_id == refund_id))
    assert refund is not None
    assert refund.status == "REFUND ERROR"


async def test_service_cancel_cancels_the_order_at_worldpay(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    charge = await _authorised_charge(connector_client, db_session)
    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/cancel"
    )
    assert response.status_code == 204
    await db_session.refresh(charge)
    assert charge.status == S.SYSTEM_CANCELLED
    assert (await stub_order(stub_client, charge.gateway_transaction_id or ""))["last_event"] == "CANCELLED"
