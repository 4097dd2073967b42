"""Stripe errors after authorisation (an intent Stripe does not know): retried or recorded."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways import registry
from connector.gateways.stripe.adapter import StripeGateway
from connector.models import Charge
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways import provider_checks
from tests.connector.gateways.card_data import CVC, assert_never_kept, debug_logging
from tests.connector.gateways.stripe.conftest import stripe_account, stripe_charge, stripe_gateway
from tests.served import serve_in_loop

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


def _stripe_answering(status: int, error_type: str) -> FastAPI:
    """Stripe answering the first call of an authorisation (``POST /v1/payment_methods``) with an
    HTTP error and its error body. localstripe cannot be made to fail so: a stub for this call only."""
    app = FastAPI()

    @app.post("/v1/payment_methods")
    async def failing() -> JSONResponse:
        body = {"error": {"type": error_type, "message": "Something went wrong on Stripe's end."}}
        return JSONResponse(body, status_code=status, headers={"Stripe-Should-Retry": "false"})

    return app


@pytest.mark.parametrize(
    ("http_status", "error_type", "answer", "final"),
    [
        (500, "api_error", 402, S.AUTHORISATION_UNEXPECTED_ERROR),
        (503, "api_error", 402, S.AUTHORISATION_UNEXPECTED_ERROR),
        (401, "invalid_request_error", 402, S.AUTHORISATION_UNEXPECTED_ERROR),  # our API key refused
        (429, "rate_limit_error", 402, S.AUTHORISATION_UNEXPECTED_ERROR),
        (400, "invalid_request_error", 400, S.AUTHORISATION_ERROR),
    ],
)
async def test_http_errors_from_stripe_map_to_their_status(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    http_status: int,
    error_type: str,
    answer: int,
    final: ChargeStatus,
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session))
    async with serve_in_loop(_stripe_answering(http_status, error_type)) as url:
        gateway = stripe_gateway(url)
        try:
            with registry.override("stripe", gateway), debug_logging(caplog):
                response = await connector_client.post(
                    f"/v1/frontend/charges/{charge.external_id}/cards",
                    json=card_body("4242424242424242", cvc=CVC),
                )
        finally:
            await gateway.close()
    # Not in the error's log lines, the answer or any row either.
    await assert_never_kept(db_session, "4242424242424242", capfd.readouterr().out, caplog, response.text)
    assert response.status_code == answer
    await db_session.refresh(charge)
    assert charge.status == final


async def test_stripe_unreachable_for_the_3ds_answer_is_an_authorisation_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway, closed_port: str
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session, requires_3ds=True))
    response = await connector_client.post(
        f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body("4000000000003220")
    )
    assert response.json() == {"status": "AUTHORISATION 3DS REQUIRED"}
    unreachable = stripe_gateway(closed_port, timeout=1)
    try:
        with registry.override("stripe", unreachable):
            response = await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/3ds", json={})
    finally:
        await unreachable.close()
    await provider_checks.three_ds_answer_failed(db_session, charge, response)
