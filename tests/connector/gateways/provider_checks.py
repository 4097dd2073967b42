"""Behaviour every real provider's adapter must show, checked on a charge the caller arranged."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import capture_due
from connector.charges.state import ChargeStatus
from connector.models import Charge, Refund
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.card_data import CVC, assert_never_kept, debug_logging

S = ChargeStatus


async def capture_is_retried(session: AsyncSession, app: FastAPI, charge: Charge) -> None:
    """A capture the provider refuses: the charge waits for the retry (CAPTURE APPROVED RETRY)."""
    await capture_due(app.state.sessionmaker, app.state.settings)
    await session.refresh(charge)
    assert charge.status == S.CAPTURE_APPROVED_RETRY


async def refund_is_an_error(client: httpx.AsyncClient, session: AsyncSession, charge: Charge) -> None:
    """A refund the provider refuses: 500 and a REFUND ERROR row (connector.md §17.6)."""
    response = await client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/refunds",
        json={"amount": 100, "refund_amount_available": 1000},
    )
    assert response.status_code == 500
    refund = await session.scalar(select(Refund).where(Refund.charge_external_id == charge.external_id))
    assert refund is not None
    assert refund.status == "REFUND ERROR"


async def cancel_is_an_error(client: httpx.AsyncClient, session: AsyncSession, charge: Charge) -> None:
    """A cancel the provider refuses: 204, the charge shows SYSTEM CANCEL ERROR."""
    response = await client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/cancel"
    )
    assert response.status_code == 204
    await session.refresh(charge)
    assert charge.status == S.SYSTEM_CANCEL_ERROR


async def three_ds_answer_failed(session: AsyncSession, charge: Charge, response: httpx.Response) -> None:
    """The provider could not be asked about the payer's 3DS answer: 402, AUTHORISATION ERROR (§8.3)."""
    assert response.status_code == 402
    assert response.json()["message"] == ["There was an error when attempting to authorise the transaction."]
    await session.refresh(charge)
    assert charge.status == S.AUTHORISATION_ERROR


async def card_data_is_never_kept(
    client: httpx.AsyncClient,
    session: AsyncSession,
    app: FastAPI,
    charge: Charge,
    number: str,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Authorise, confirm and capture at DEBUG; then no log line, row or answer holds the number or CVC."""
    with debug_logging(caplog):
        answer = await client.post(
            f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body(number, cvc=CVC)
        )
        await client.post(f"/v1/frontend/charges/{charge.external_id}/capture")
        await capture_due(app.state.sessionmaker, app.state.settings)
    await assert_never_kept(session, number, capfd.readouterr().out, caplog, answer.text)
