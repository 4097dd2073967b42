"""Cancel and expiry of Stripe charges awaiting 3DS or authorised: the payment intent is read first.

connector.md §9.1/§9.2. The payer may finish 3DS at Stripe while the webhook saying so is still on
its way; the intent then holds the money (``requires_capture``) though the charge still says
``AUTHORISATION 3DS REQUIRED``. So the intent is retrieved first: an open one is cancelled at
Stripe, one Stripe already ended (3DS failed) moves the charge to match. All of it is localstripe's
own behaviour (intents, its 3DS step, retrieve, cancel); the issuer page is the shim's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.expiry.service import sweep
from connector.gateways.stripe.adapter import StripeGateway
from connector.models import Charge
from pay_common.db.base import utc_now
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.stripe.conftest import stripe_account, stripe_charge

S = ChargeStatus
pytestmark = pytest.mark.asyncio
THREE_DS_CARD = "4000000000003220"


@dataclass(frozen=True)
class Env:
    """The connector (app, client, test session) on localstripe (and a client to read it)."""

    app: FastAPI
    client: httpx.AsyncClient
    session: AsyncSession
    localstripe: httpx.AsyncClient


@pytest_asyncio.fixture
async def env(
    connector_app: FastAPI,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> Env:
    return Env(connector_app, connector_client, db_session, localstripe_client)


async def _charge_in(env: Env, number: str, expected: S) -> Charge:
    charge = await stripe_charge(env.session, await stripe_account(env.session, requires_3ds=True))
    response = await env.client.post(
        f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body(number)
    )
    assert response.json() == {"status": expected.value}
    await env.session.refresh(charge)
    return charge


async def _three_ds_charge(env: Env, payer_at_issuer: str | None = None) -> Charge:
    """A charge awaiting 3DS; ``payer_at_issuer`` ("pass"/"fail"): what the payer did at Stripe's
    issuer page, the pages never hearing of it."""
    charge = await _charge_in(env, THREE_DS_CARD, S.AUTHORISATION_3DS_REQUIRED)
    if payer_at_issuer is not None:
        view = (await env.client.get(f"/v1/frontend/charges/{charge.external_id}")).json()
        async with httpx.AsyncClient() as payer:
            back = await payer.post(view["auth_3ds_data"]["issuerUrl"], data={"result": payer_at_issuer})
        assert back.status_code == 303
    return charge


async def _intent_status(env: Env, charge: Charge) -> str:
    response = await env.localstripe.get(f"/v1/payment_intents/{charge.gateway_transaction_id}")
    assert response.status_code == 200
    return str(response.json()["status"])


async def _expire(env: Env) -> dict[str, int]:
    later = utc_now() + timedelta(hours=2)
    return (await sweep(env.app.state.sessionmaker, env.app.state.settings, now=later)).as_json()


@pytest.mark.parametrize("payer_at_issuer", [None, "pass"])
async def test_expiry_during_3ds_cancels_the_intent(
    env: Env,
    payer_at_issuer: str | None,
) -> None:
    charge = await _three_ds_charge(env, payer_at_issuer)
    expected_at_stripe = "requires_action" if payer_at_issuer is None else "requires_capture"
    assert await _intent_status(env, charge) == expected_at_stripe
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == S.EXPIRED
    assert await _intent_status(env, charge) == "canceled"


async def test_payer_cancel_after_3ds_at_stripe_releases_the_money(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env, "pass")
    response = await env.client.post(f"/v1/frontend/charges/{charge.external_id}/cancel")
    assert response.status_code == 204
    await env.session.refresh(charge)
    assert charge.status == S.USER_CANCELLED
    assert await _intent_status(env, charge) == "canceled"


async def test_service_cancel_during_3ds_cancels_the_intent(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env)
    response = await env.client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/cancel"
    )
    assert response.status_code == 204
    await env.session.refresh(charge)
    assert charge.status == S.SYSTEM_CANCELLED
    assert await _intent_status(env, charge) == "canceled"


async def test_expiry_after_3ds_failed_at_stripe_rejects_the_charge(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env, "fail")
    assert await _intent_status(env, charge) == "requires_payment_method"
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == S.AUTHORISATION_REJECTED
    # Nothing was held, so nothing was cancelled at Stripe.
    assert await _intent_status(env, charge) == "requires_payment_method"


async def test_expiry_of_an_authorised_charge_cancels_the_intent(
    env: Env,
) -> None:
    charge = await _charge_in(env, "4242424242424242", S.AUTHORISATION_SUCCESS)
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == S.EXPIRED
    assert await _intent_status(env, charge) == "canceled"
