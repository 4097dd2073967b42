"""Stripe errors after authorisation (an intent Stripe does not know): retried or recorded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.stripe.adapter import StripeGateway
from connector.models import Charge
from tests.connector.gateways import provider_checks
from tests.connector.gateways.stripe.conftest import stripe_account, stripe_charge

S = ChargeStatus
pytestmark = pytest.mark.asyncio


async def _unknown_order(session: AsyncSession, status: ChargeStatus) -> Charge:
    account = await stripe_account(session)
    return await stripe_charge(session, account, status=status, gateway_transaction_id="pi_unknown")


async def test_capture_is_retried(
    db_session: AsyncSession, connector_app: FastAPI, stripe: StripeGateway
) -> None:
    charge = await _unknown_order(db_session, S.CAPTURE_APPROVED)
    await provider_checks.capture_is_retried(db_session, connector_app, charge)


async def test_refund_is_an_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    charge = await _unknown_order(db_session, S.CAPTURED)
    await provider_checks.refund_is_an_error(connector_client, db_session, charge)


async def test_cancel_is_an_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    charge = await _unknown_order(db_session, S.AUTHORISATION_SUCCESS)
    await provider_checks.cancel_is_an_error(connector_client, db_session, charge)
