"""Every charge status leads to the right page, on refresh and back button too (fact sheet B6)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.frontend.conftest import PaymentFactory, force_status, start


@pytest.mark.parametrize(
    ("status", "http_status", "text"),
    [
        ("AUTHORISATION READY", 200, "Your payment is in progress"),
        ("AUTHORISATION 3DS REQUIRED", 200, "Your payment is in progress"),
        ("AUTHORISATION SUCCESS", 200, "Your payment is in progress"),
        ("CAPTURE READY", 200, "Processing card details"),
        ("AUTHORISATION REJECTED", 200, "Your payment has been declined"),
        ("AUTHORISATION CANCELLED", 200, "Your payment has been declined"),
        ("AUTHORISATION ERROR", 200, "We’re experiencing technical problems"),
        ("CAPTURED", 200, "Your payment was successful"),
        ("CAPTURE SUBMITTED", 200, "Your payment was successful"),
        ("AWAITING CAPTURE REQUEST", 200, "Your payment was successful"),
        ("CAPTURE ERROR", 200, "Your payment was unsuccessful"),
        ("EXPIRED", 200, "Your payment session has expired"),
        ("SYSTEM CANCELLED", 200, "Payment cancelled"),
        ("USER CANCELLED", 200, "Your payment has been cancelled"),
        ("AUTHORISATION TIMEOUT", 500, "An error occurred"),
        ("CAPTURE QUEUED", 500, "An error occurred"),
    ],
)
@pytest.mark.asyncio
async def test_card_page_renders_the_page_of_the_current_status(
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
    db_session: AsyncSession,
    status: str,
    http_status: int,
    text: str,
) -> None:
    payment = await new_payment()
    await start(browser, payment)
    await force_status(db_session, payment.charge_id, status)

    page = await browser.get(f"/card_details/{payment.charge_id}")

    assert page.status_code == http_status
    assert text in page.text
    assert "Traceback" not in page.text
    assert page.headers["cache-control"] == "private, no-cache, no-store, must-revalidate"


@pytest.mark.parametrize(
    ("status", "path"),
    [
        ("AUTHORISATION SUCCESS", "/confirm"),
        ("AUTHORISATION 3DS REQUIRED", "/3ds_required"),
        ("AUTHORISATION READY", "/auth_waiting"),
        ("CAPTURE SUBMITTED", "/capture_waiting"),
    ],
)
@pytest.mark.asyncio
async def test_first_use_of_a_token_goes_to_the_page_for_the_status(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession, status: str, path: str
) -> None:
    payment = await new_payment()
    await force_status(db_session, payment.charge_id, status)

    response = await browser.get(payment.secure_path)

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}{path}"


@pytest.mark.asyncio
async def test_unused_token_of_a_finished_charge_shows_the_system_error(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    payment = await new_payment()
    await force_status(db_session, payment.charge_id, "EXPIRED")

    response = await browser.get(payment.secure_path)

    assert response.status_code == 500
    assert "We’re experiencing technical problems" in response.text


@pytest.mark.asyncio
async def test_confirm_page_of_a_charge_not_yet_authorised_shows_in_progress(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    await start(browser, payment)

    page = await browser.get(f"/card_details/{payment.charge_id}/confirm")

    assert "Your payment is in progress" in page.text
    assert f'href="/card_details/{payment.charge_id}"' in page.text


@pytest.mark.asyncio
async def test_capture_waiting_refreshes_until_the_capture_is_done(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    payment = await new_payment()
    await start(browser, payment)
    await force_status(db_session, payment.charge_id, "CAPTURE READY")

    waiting = await browser.get(f"/card_details/{payment.charge_id}/capture_waiting")
    assert waiting.status_code == 200
    assert "Processing card details" in waiting.text
    assert '<meta http-equiv="refresh"' in waiting.text

    await force_status(db_session, payment.charge_id, "CAPTURED")
    done = await browser.get(f"/card_details/{payment.charge_id}/capture_waiting")
    assert "Your payment was successful" in done.text
