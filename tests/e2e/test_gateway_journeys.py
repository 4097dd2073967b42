"""Paying through Worldpay and Stripe accounts in a real browser, 3DS included (issue 12).

The connector talks to the local Worldpay stub and to localstripe (tests/stubs); the journeys
go create → card → 3DS at the provider's page → confirm → captured → refunded, through the
public API, and Worldpay's captures and refunds finish only when the stub's notification
arrives (Stripe confirms both at once, connector.md §15.2).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge
from tests.connector.gateways.stripe.conftest import event, signed
from tests.e2e.conftest import E2E_STRIPE_SIGNING_SECRET, PublicApi, Stack, public_api_for
from tests.e2e.test_journeys import _fill_card as fill_card
from tests.factories import create_account
from tests.stubs.servers import WORLDPAY_USERS

# The first journey also pays for starting the stack, both stubs and Chromium; the worker then
# captures on its own schedule: more than pytest's default 120 s on a loaded machine.
pytestmark = [pytest.mark.e2e, pytest.mark.asyncio, pytest.mark.timeout(300)]
THREE_DS_CARD = "4000 0000 0000 3220"


@pytest_asyncio.fixture
async def worldpay_api(stack: Stack, db_session: AsyncSession) -> AsyncIterator[PublicApi]:
    account = await create_account(
        db_session,
        payment_provider="worldpay",
        credentials={usage: dict(user) for usage, user in WORLDPAY_USERS.items()},
        requires_3ds=True,
        service_name="Boat licensing",
    )
    async for api in public_api_for(stack, account.id):
        yield api


@pytest_asyncio.fixture
async def stripe_api(stack: Stack, db_session: AsyncSession) -> AsyncIterator[PublicApi]:
    account = await create_account(
        db_session,
        payment_provider="stripe",
        credentials={"stripe_account_id": "acct_e2e_service"},
        requires_3ds=True,
        service_name="Boat licensing",
    )
    async for api in public_api_for(stack, account.id):
        yield api


async def _state(api: PublicApi, payment_id: str) -> str:
    return str((await api.get_payment(payment_id))["state"]["status"])


async def _pay_with_3ds(page: Page, api: PublicApi, pass_button: str) -> dict[str, Any]:
    """Create → card → 3DS at the provider's page → confirm; the public API's state at each step."""
    payment = await api.create_payment()
    payment_id = payment["payment_id"]
    assert await _state(api, payment_id) == "created"
    await page.goto(payment["_links"]["next_url"]["href"])
    await fill_card(page, THREE_DS_CARD)
    await page.click("#submit-card-details")
    await expect(page.locator("h1")).to_have_text("Your bank is checking your details")
    assert await _state(api, payment_id) == "started"  # waiting for the payer at the issuer
    await page.frame_locator("#three-ds-iframe").get_by_role("button", name=pass_button).click()
    await expect(page.locator("h1")).to_have_text("Confirm your payment")
    assert await _state(api, payment_id) == "submitted"  # authorised, not yet confirmed
    await page.click("#confirm")
    await page.wait_for_url(api.return_url)
    return payment


async def _charge_reaches(session: AsyncSession, charge_id: str, status: str) -> Charge:
    """The charge once the worker has moved it to ``status`` (the worker polls every second)."""
    for _ in range(300):
        session.expire_all()
        charge = await session.scalar(select(Charge).where(Charge.external_id == charge_id))
        if charge is not None and charge.status == status:
            return charge
        await asyncio.sleep(0.1)
    raise AssertionError(f"charge {charge_id} never reached {status}")


async def _refund(api: PublicApi, payment_id: str, amount: int) -> dict[str, Any]:
    response = await api.http.post(
        f"/v1/payments/{payment_id}/refunds", json={"amount": amount, "refund_amount_available": amount}
    )
    assert response.status_code == 202, response.text
    refund: dict[str, Any] = response.json()
    return refund


async def _refund_status(api: PublicApi, payment_id: str, refund_id: str) -> str:
    response = await api.http.get(f"/v1/payments/{payment_id}/refunds/{refund_id}")
    assert response.status_code == 200, response.text
    return str(response.json()["status"])


async def test_worldpay_journey_captured_and_refunded_by_notifications(
    page: Page, stack: Stack, worldpay_api: PublicApi, db_session: AsyncSession
) -> None:
    payment = await _pay_with_3ds(page, worldpay_api, "Pass authentication")
    charge = await _charge_reaches(db_session, payment["payment_id"], "CAPTURE SUBMITTED")
    paid = await worldpay_api.get_payment(payment["payment_id"])
    assert paid["state"]["status"] == "success"
    assert paid["refund_summary"]["status"] == "pending"  # not refundable until Worldpay confirms the capture

    async with httpx.AsyncClient(base_url=stack.worldpay) as worldpay:
        notify_url = f"{stack.connector.url}/v1/api/notifications/worldpay"
        sent = await worldpay.post(
            "/_stub/notify",
            json={"url": notify_url, "order_code": charge.gateway_transaction_id, "status": "CAPTURED"},
        )
        assert sent.json() == {"status_code": 200, "body": "[OK]"}
        await _charge_reaches(db_session, payment["payment_id"], "CAPTURED")
        assert (await worldpay_api.get_payment(payment["payment_id"]))["refund_summary"][
            "status"
        ] == "available"

        refund = await _refund(worldpay_api, payment["payment_id"], 2350)
        assert refund["status"] == "submitted"
        # Until Worldpay's REFUNDED notification the refund stays submitted.
        assert await _refund_status(worldpay_api, payment["payment_id"], refund["refund_id"]) == "submitted"
        sent = await worldpay.post(
            "/_stub/notify",
            json={
                "url": notify_url,
                "order_code": charge.gateway_transaction_id,
                "status": "REFUNDED",
                "refund_reference": refund["refund_id"],
            },
        )
        assert sent.json()["status_code"] == 200
    assert await _refund_status(worldpay_api, payment["payment_id"], refund["refund_id"]) == "success"
    refunded = await worldpay_api.get_payment(payment["payment_id"])
    assert refunded["refund_summary"]["status"] == "full"
    assert refunded["refund_summary"]["amount_submitted"] == 2350


async def test_stripe_journey_captured_and_refunded_at_once(
    page: Page, stack: Stack, stripe_api: PublicApi, db_session: AsyncSession
) -> None:
    payment = await _pay_with_3ds(page, stripe_api, "Complete authentication")
    charge = await _charge_reaches(db_session, payment["payment_id"], "CAPTURED")
    # Stripe's capturable webhook may arrive after the payment pages finished: harmless.
    intent = {"id": charge.gateway_transaction_id, "object": "payment_intent", "amount_capturable": 2350}
    payload, signature = signed(
        event("payment_intent.amount_capturable_updated", intent), E2E_STRIPE_SIGNING_SECRET
    )
    async with httpx.AsyncClient(base_url=stack.connector.url) as connector:
        answer = await connector.post(
            "/v1/api/notifications/stripe", content=payload, headers={"Stripe-Signature": signature}
        )
    assert answer.status_code == 200
    paid = await stripe_api.get_payment(payment["payment_id"])
    assert paid["state"]["status"] == "success"
    assert paid["refund_summary"]["status"] == "available"
    refund = await _refund(stripe_api, payment["payment_id"], 2350)
    assert refund["status"] == "success"
    assert await _refund_status(stripe_api, payment["payment_id"], refund["refund_id"]) == "success"
    assert (await stripe_api.get_payment(payment["payment_id"]))["refund_summary"]["status"] == "full"
