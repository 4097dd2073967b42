"""Worldpay errors after authorisation (an order Worldpay does not know): retried or recorded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Charge
from tests.connector.gateways import provider_checks
from tests.connector.gateways.worldpay.conftest import worldpay_account, worldpay_charge

S = ChargeStatus
pytestmark = pytest.mark.asyncio


async def _unknown_order(session: AsyncSession, status: ChargeStatus) -> Charge:
    account = await worldpay_account(session)
    return await worldpay_charge(session, account, status=status, gateway_transaction_id="unknown-order")


async def test_capture_is_retried(
    db_session: AsyncSession, connector_app: FastAPI, worldpay: WorldpayGateway
) -> None:
    charge = await _unknown_order(db_session, S.CAPTURE_APPROVED)
    await provider_checks.capture_is_retried(db_session, connector_app, charge)


async def test_refund_is_an_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    charge = await _unknown_order(db_session, S.CAPTURED)
    await provider_checks.refund_is_an_error(connector_client, db_session, charge)


async def test_cancel_is_an_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    charge = await _unknown_order(db_session, S.AUTHORISATION_SUCCESS)
    await provider_checks.cancel_is_an_error(connector_client, db_session, charge)
