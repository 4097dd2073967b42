"""Worldpay errors after authorisation (an order Worldpay does not know): retried or recorded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways import registry
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Charge
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways import provider_checks
from tests.connector.gateways.worldpay.conftest import unreachable_worldpay, worldpay_account, worldpay_charge
from tests.stubs import worldpay as stub

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


async def test_worldpay_unreachable_for_the_3ds_answer_is_an_authorisation_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway, closed_port: str
) -> None:
    charge = await worldpay_charge(db_session, await worldpay_account(db_session, requires_3ds=True))
    response = await connector_client.post(
        f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body(stub.THREE_DS1_CARD)
    )
    assert response.json() == {"status": "AUTHORISATION 3DS REQUIRED"}
    async with httpx.AsyncClient() as client:
        unreachable = unreachable_worldpay(client, closed_port)
        with registry.override("worldpay", unreachable):
            response = await connector_client.post(
                f"/v1/frontend/charges/{charge.external_id}/3ds", json={"pa_response": stub.PASS_3DS}
            )
    await provider_checks.three_ds_answer_failed(db_session, charge, response)
