"""No Stripe request body (card[number], card[cvc]) is logged or stored, even at DEBUG."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import capture_due
from connector.gateways.stripe.adapter import StripeGateway
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.card_data import CVC, assert_never_kept, debug_logging
from tests.connector.gateways.stripe.conftest import stripe_account, stripe_charge

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize("number", ["4242424242424242", "4000000000000341", "4000000000003220"])
async def test_card_number_and_cvc_are_never_logged_or_stored(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    stripe: StripeGateway,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    number: str,
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session))
    with debug_logging(caplog):
        answer = await connector_client.post(
            f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body(number, cvc=CVC)
        )
        await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/capture")
        await capture_due(connector_app.state.sessionmaker, connector_app.state.settings)
    await assert_never_kept(db_session, number, capfd.readouterr().out, caplog, answer.text)
