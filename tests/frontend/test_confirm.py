"""Confirm, capture and return to the service (fact sheet B2 steps 5-7, B8)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_account
from tests.frontend.conftest import PaymentFactory, charge_status, csrf_of, start, submit_card


@pytest.mark.asyncio
async def test_confirm_then_capture_returns_to_the_service(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment(return_url="https://service.example/done")
    page = await start(browser, payment)
    await submit_card(browser, payment, page)

    confirm = await browser.get(f"/card_details/{payment.charge_id}/confirm")

    assert confirm.status_code == 200
    assert "Confirm your payment" in confirm.text
    assert "●●●●●●●●●●●●4242" in confirm.text
    assert "Jane Payer" in confirm.text
    assert "SW1A 1AA" in confirm.text
    assert "jane@example.org" in confirm.text
    assert "4242424242424242" not in confirm.text
    captured = await browser.post(
        f"/card_details/{payment.charge_id}/confirm", data={"csrfToken": csrf_of(confirm, "confirm-payment")}
    )
    assert captured.status_code == 303
    assert captured.headers["location"] == f"/return/{payment.charge_id}"
    back = await browser.get(captured.headers["location"])
    assert back.status_code == 302
    assert back.headers["location"] == "https://service.example/done"
    assert await charge_status(connector_client, payment.charge_id) in {"CAPTURE APPROVED", "CAPTURED"}
    # Back button / refresh after paying: the success page, never the form again.
    again = await browser.get(f"/card_details/{payment.charge_id}/confirm")
    assert again.status_code == 200
    assert "Your payment was successful" in again.text


@pytest.mark.asyncio
async def test_confirm_shows_the_corporate_card_surcharge(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, corporate_credit_card_surcharge_amount=250)
    payment = await new_payment(account, amount=1000)
    page = await start(browser, payment)
    await submit_card(browser, payment, page, cardNo="4988080000000000")

    confirm = await browser.get(f"/card_details/{payment.charge_id}/confirm")

    assert "Corporate card fee" in confirm.text
    assert "£2.50" in confirm.text
    assert "£12.50" in confirm.text


@pytest.mark.asyncio
async def test_cancel_on_the_card_page_then_continue_returns_to_the_service(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment(return_url="https://service.example/cancelled")
    page = await start(browser, payment)

    cancelled = await browser.post(
        f"/card_details/{payment.charge_id}/cancel", data={"csrfToken": csrf_of(page, "cancel-payment")}
    )

    assert cancelled.status_code == 200
    assert "Your payment has been cancelled" in cancelled.text
    assert await charge_status(connector_client, payment.charge_id) == "USER CANCELLED"
    back = await browser.get(f"/return/{payment.charge_id}")
    assert back.headers["location"] == "https://service.example/cancelled"


@pytest.mark.asyncio
async def test_return_cancels_a_charge_still_in_progress(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()
    await start(browser, payment)

    back = await browser.get(f"/return/{payment.charge_id}")

    assert back.status_code == 302
    assert back.headers["location"] == "https://service.example/return/PCN-1"
    assert await charge_status(connector_client, payment.charge_id) == "USER CANCELLED"


@pytest.mark.asyncio
async def test_return_needs_the_session(browser: httpx.AsyncClient, new_payment: PaymentFactory) -> None:
    payment = await new_payment()

    response = await browser.get(f"/return/{payment.charge_id}")

    assert response.status_code == 403
