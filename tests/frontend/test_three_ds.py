"""3-D Secure with the sandbox's 3DS card and the simulated issuer page (fact sheet B3)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.frontend.conftest import Browser, PaymentFactory, charge_status, start, submit_card

THREE_DS_CARD = "4000000000003220"


async def _to_issuer(browser: httpx.AsyncClient, new_payment: PaymentFactory) -> tuple[str, httpx.Response]:
    payment = await new_payment()
    page = await start(browser, payment)
    response = await submit_card(browser, payment, page, cardNo=THREE_DS_CARD)
    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}/3ds_required"
    required = await browser.get(response.headers["location"])
    assert required.status_code == 200
    assert "Your bank is checking your details" in required.text
    assert f'src="/card_details/{payment.charge_id}/3ds_required_out"' in required.text
    issuer = await browser.get(f"/card_details/{payment.charge_id}/3ds_required_out")
    assert issuer.status_code == 200
    return payment.charge_id, issuer


def _form(html: str, form_id: str) -> tuple[str, dict[str, str]]:
    section = html[html.index(f'id="{form_id}"') - 200 :]
    action = re.search(r'action="([^"]+)"', section)
    assert action
    fields = dict(
        re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', section.split("</form>")[0])
    )
    return action.group(1), fields


async def _answer(
    browser: httpx.AsyncClient, bank: httpx.AsyncClient, issuer: httpx.Response, form_id: str
) -> httpx.Response:
    term_url, fields = _form(issuer.text, form_id)
    # The issuer posts back cross-site, without the session cookie.
    bounce = await bank.post(term_url, data=fields)
    assert bounce.status_code == 200
    assert 'target="_top"' in bounce.text
    assert "<noscript>" in bounce.text
    handler, relayed = _form(bounce.text, "three-ds-form")
    return await browser.post(handler, data=relayed)


@pytest.mark.asyncio
async def test_passing_the_issuer_check_leads_to_confirm(
    browser: httpx.AsyncClient,
    new_browser: Browser,
    new_payment: PaymentFactory,
    connector_client: httpx.AsyncClient,
) -> None:
    charge_id, issuer = await _to_issuer(browser, new_payment)

    response = await _answer(browser, await new_browser(), issuer, "issuer-pass")

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{charge_id}/confirm"
    assert await charge_status(connector_client, charge_id) == "AUTHORISATION SUCCESS"


@pytest.mark.asyncio
async def test_failing_the_issuer_check_shows_declined(
    browser: httpx.AsyncClient,
    new_browser: Browser,
    new_payment: PaymentFactory,
    connector_client: httpx.AsyncClient,
) -> None:
    charge_id, issuer = await _to_issuer(browser, new_payment)

    response = await _answer(browser, await new_browser(), issuer, "issuer-fail")
    page = await browser.get(response.headers["location"])

    assert "Your payment has been declined" in page.text
    assert await charge_status(connector_client, charge_id) == "AUTHORISATION REJECTED"


@pytest.mark.asyncio
async def test_the_handler_needs_the_session(
    new_payment: PaymentFactory, browser: httpx.AsyncClient, new_browser: Browser
) -> None:
    charge_id, _ = await _to_issuer(browser, new_payment)
    stranger = await new_browser()

    response = await stranger.post(f"/card_details/{charge_id}/3ds_handler", data={"PaRes": "success"})

    assert response.status_code == 403
