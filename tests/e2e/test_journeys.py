"""A paying user's journeys through the payment pages, in a real browser (issue 6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PublicApi, check_accessibility

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]


async def _open(page: Page, public_api: PublicApi, **fields: Any) -> dict[str, Any]:
    payment = await public_api.create_payment(**fields)
    await page.goto(payment["_links"]["next_url"]["href"])
    return payment


async def _back_at_the_service(page: Page, public_api: PublicApi) -> None:
    await page.wait_for_url(public_api.return_url)
    await expect(page.locator("h1")).to_have_text("Back at the service")


async def _fill_card(page: Page, number: str = "4242 4242 4242 4242") -> None:
    await page.fill("#card-no", number)
    await page.fill("#expiry-month", "12")
    await page.fill("#expiry-year", "2035")
    await page.fill("#cardholder-name", "Jane Payer")
    await page.fill("#cvc", "123")
    await page.fill("#address-line-1", "1 Boat Lane")
    await page.fill("#address-city", "Cardiff")
    await page.fill("#address-postcode", "CF10 1AA")
    await page.fill("#email", "jane@example.org")


async def test_pay_with_a_success_card_and_return_to_the_service(page: Page, public_api: PublicApi) -> None:
    payment = await _open(page, public_api)
    await expect(page.locator("h1")).to_have_text("Enter card details")
    await expect(page.locator("#payment-description")).to_have_text("Renew your boat licence")
    await expect(page.locator("#amount")).to_have_text("£23.50")
    # The summary sits in a narrow column: its labels must not break mid-word.
    assert await _lines_of(page, "#payment-summary dt >> nth=0") == 1
    await check_accessibility(page, "card details")

    await page.click("#submit-card-details")
    await expect(page.locator(".govuk-error-summary")).to_be_visible()
    await expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a valid card number")
    await check_accessibility(page, "card details with errors")

    await _fill_card(page)
    await page.click("#submit-card-details")
    await expect(page.locator("h1")).to_have_text("Confirm your payment")
    await expect(page.locator("#card-number")).to_have_text("●●●●●●●●●●●●4242")
    await check_accessibility(page, "confirm")

    await page.click("#confirm")
    await _back_at_the_service(page, public_api)
    paid = await public_api.get_payment(payment["payment_id"])
    assert paid["state"]["status"] == "success"
    assert paid["card_details"]["last_digits_card_number"] == "4242"

    # The back button (or an old tab) shows the outcome, never the form again.
    await page.go_back()
    await expect(page.locator("h1")).to_have_text("Your payment was successful")
    await page.goto(f"{_frontend(payment)}/card_details/{payment['payment_id']}/confirm")
    await expect(page.locator("h1")).to_have_text("Your payment was successful")
    await check_accessibility(page, "success (back button)")


async def _lines_of(page: Page, selector: str) -> int:
    """How many lines the element's text takes on screen."""
    count = await page.locator(selector).evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )
    return int(count)


def _frontend(payment: dict[str, Any]) -> str:
    match = re.match(r"(https?://[^/]+)/", payment["_links"]["next_url"]["href"])
    assert match
    return match.group(1)


async def test_a_declined_card_shows_the_declined_page(page: Page, public_api: PublicApi) -> None:
    payment = await _open(page, public_api)
    await _fill_card(page, "4000000000000002")
    await page.click("#submit-card-details")

    await expect(page.locator("h1")).to_have_text("Your payment has been declined")
    await check_accessibility(page, "declined")
    failed = await public_api.get_payment(payment["payment_id"])
    assert failed["state"]["status"] == "failed"
    assert failed["state"]["code"] == "P0010"


async def test_the_3ds_card_passes_the_issuer_check_and_succeeds(page: Page, public_api: PublicApi) -> None:
    payment = await _open(page, public_api)
    await _fill_card(page, "4000000000003220")
    await page.click("#submit-card-details")

    await expect(page.locator("h1")).to_have_text("Your bank is checking your details")
    issuer = page.frame_locator("#three-ds-iframe")
    await expect(issuer.locator("h1")).to_contain_text("Sandbox bank")
    await check_accessibility(page, "3ds required")
    frame = page.frame(url=re.compile(r".*/3ds_required_out$"))
    assert frame is not None
    await check_accessibility(frame, "simulated sandbox issuer (3DS iframe)")
    await issuer.locator("#three-ds-pass").click()

    await expect(page.locator("h1")).to_have_text("Confirm your payment")
    await page.click("#confirm")
    await _back_at_the_service(page, public_api)
    paid = await public_api.get_payment(payment["payment_id"])
    assert paid["state"]["status"] == "success"


async def test_cancel_on_the_card_page_returns_to_the_service(page: Page, public_api: PublicApi) -> None:
    payment = await _open(page, public_api)
    await page.click("#cancel-payment-button")

    await expect(page.locator("h1")).to_have_text("Your payment has been cancelled")
    await check_accessibility(page, "user cancelled")
    await page.click("#return-url")
    await _back_at_the_service(page, public_api)
    cancelled = await public_api.get_payment(payment["payment_id"])
    assert cancelled["state"]["status"] == "failed"
    assert cancelled["state"]["code"] == "P0030"


async def test_a_used_token_is_refused_in_a_second_browser(
    page: Page, browser: Browser, public_api: PublicApi
) -> None:
    payment = await _open(page, public_api)
    await expect(page.locator("h1")).to_have_text("Enter card details")

    other = await browser.new_context()
    try:
        stranger = await other.new_page()
        response = await stranger.goto(payment["_links"]["next_url"]["href"])
        assert response is not None
        assert response.status == 403
        await expect(stranger.locator("h1")).to_have_text("Your payment session has expired")
        await check_accessibility(stranger, "session expired")
    finally:
        await other.close()


async def test_a_welsh_payment_renders_in_welsh(page: Page, public_api: PublicApi) -> None:
    await _open(page, public_api, language="cy")

    assert await page.get_attribute("html", "lang") == "cy"
    await expect(page.locator("h1")).to_have_text("Rhowch fanylion y cerdyn")
    await check_accessibility(page, "card details (Welsh)")
    await _fill_card(page)
    await page.click("#submit-card-details")
    await expect(page.locator("h1")).to_have_text("Cadarnhau eich taliad")
    await check_accessibility(page, "confirm (Welsh)")


async def _tab_to(page: Page, element_id: str) -> None:
    for _ in range(60):
        await page.keyboard.press("Tab")
        if await page.evaluate("() => document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} cannot be reached with the Tab key")


async def test_the_form_can_be_completed_with_the_keyboard_only(page: Page, public_api: PublicApi) -> None:
    payment = await _open(page, public_api)
    for element_id, text in [
        ("card-no", "4242424242424242"),
        ("expiry-month", "11"),
        ("expiry-year", "2034"),
        ("cardholder-name", "Kay Board"),
        ("cvc", "321"),
        ("address-line-1", "2 Key Street"),
        ("address-city", "Swansea"),
        ("address-postcode", "SA1 1AA"),
        ("email", "kay@example.org"),
    ]:
        await _tab_to(page, element_id)
        await page.keyboard.type(text)
    await _tab_to(page, "submit-card-details")
    await page.keyboard.press("Enter")

    await expect(page.locator("h1")).to_have_text("Confirm your payment")
    await _tab_to(page, "confirm")
    await page.keyboard.press("Enter")
    await _back_at_the_service(page, public_api)
    paid = await public_api.get_payment(payment["payment_id"])
    assert paid["state"]["status"] == "success"
