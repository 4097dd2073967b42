"""Worldpay errors after authorisation: capture retried, refund and cancel failures recorded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import capture_due
from connector.charges.state import ChargeStatus
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Refund
from tests.connector.gateways.worldpay.conftest import worldpay_account, worldpay_charge

S = ChargeStatus
pytestmark = pytest.mark.asyncio


async def test_capture_of_an_order_worldpay_does_not_know_is_retried(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    worldpay: WorldpayGateway,
) -> None:
    charge = await worldpay_charge(
        db_session,
        await worldpay_account(db_session),
        status=S.CAPTURE_APPROVED,
        gateway_transaction_id="unknown-order",
    )
    await capture_due(connector_app.state.sessionmaker, connector_app.state.settings)
    await db_session.refresh(charge)
    assert charge.status == S.CAPTURE_APPROVED_RETRY


async def test_refund_refused_by_worldpay_is_a_refund_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    charge = await worldpay_charge(
        db_session,
        await worldpay_account(db_session),
        status=S.CAPTURED,
        gateway_transaction_id="unknown-order",
    )
    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/refunds",
        json={"amount": 100, "refund_amount_available": 1000},
    )
    assert response.status_code == 500
    refund = await db_session.scalar(select(Refund).where(Refund.charge_external_id == charge.external_id))
    assert refund is not None
    assert refund.status == "REFUND ERROR"


async def test_cancel_refused_by_worldpay_is_a_cancel_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    charge = await worldpay_charge(
        db_session,
        await worldpay_account(db_session),
        status=S.AUTHORISATION_SUCCESS,
        gateway_transaction_id="unknown-order",
    )
    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/cancel"
    )
    assert response.status_code == 204
    await db_session.refresh(charge)
    assert charge.status == S.SYSTEM_CANCEL_ERROR
