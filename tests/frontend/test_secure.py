"""Token exchange: ``GET /secure/{token}`` and ``POST /secure`` (fact sheet B2 step 1, B5, B6)."""

from __future__ import annotations

import httpx
import pytest

from tests.frontend.conftest import Browser, PaymentFactory, charge_status


@pytest.mark.asyncio
async def test_first_use_binds_the_charge_and_goes_to_the_card_page(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()

    response = await browser.get(payment.secure_path)

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("frontend_state=")
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "secure" not in cookie.lower().replace("samesite", "")  # plain http here
    token = await connector_client.get(f"/v1/frontend/tokens/{payment.token}")
    assert token.json()["used"] is True
    page = await browser.get(response.headers["location"])
    assert page.status_code == 200
    assert "Enter card details" in page.text
    assert await charge_status(connector_client, payment.charge_id) == "ENTERING CARD DETAILS"


@pytest.mark.asyncio
async def test_post_secure_takes_the_token_from_the_form(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()

    response = await browser.post("/secure", data={"chargeTokenId": payment.token})

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}"


@pytest.mark.asyncio
async def test_unknown_token_shows_session_expired_with_403(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/secure/2a4c8e36-0000-4000-8000-000000000000")

    assert response.status_code == 403
    assert "Your payment session has expired" in response.text


@pytest.mark.asyncio
async def test_used_token_is_refused_in_another_browser(
    new_browser: Browser, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    first, second = await new_browser(), await new_browser()
    assert (await first.get(payment.secure_path)).status_code == 303

    response = await second.get(payment.secure_path)

    assert response.status_code == 403
    assert "Your payment session has expired" in response.text
    # ... and the card page URL is useless there too.
    card_page = await second.get(f"/card_details/{payment.charge_id}")
    assert card_page.status_code == 403


@pytest.mark.asyncio
async def test_used_token_in_the_same_browser_shows_the_current_state(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    await browser.get(payment.secure_path)
    await browser.get(f"/card_details/{payment.charge_id}")

    response = await browser.get(payment.secure_path)

    assert response.status_code == 200
    assert "Your payment is in progress" in response.text
    assert f'href="/card_details/{payment.charge_id}"' in response.text
    assert f'href="/return/{payment.charge_id}"' in response.text


@pytest.mark.asyncio
async def test_a_session_holds_at_most_ten_charges(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payments = [await new_payment() for _ in range(11)]
    for payment in payments:
        assert (await browser.get(payment.secure_path)).status_code == 303

    # The least recently used charge was evicted; the newest is still there.
    assert (await browser.get(f"/card_details/{payments[0].charge_id}")).status_code == 403
    assert (await browser.get(f"/card_details/{payments[-1].charge_id}")).status_code == 200
