"""No Stripe request body (card[number], card[cvc]) is logged or stored, even at DEBUG."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.gateways.stripe.adapter import StripeGateway
from tests.connector.gateways.provider_checks import card_data_is_never_kept
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
    await card_data_is_never_kept(connector_client, db_session, connector_app, charge, number, capfd, caplog)
