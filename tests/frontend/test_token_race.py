"""A next_url opened by many browsers at the same moment: exactly one of them wins the charge."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.frontend.conftest import Browser, PaymentFactory

BROWSERS = 20


@pytest.mark.asyncio
async def test_twenty_simultaneous_first_uses_bind_exactly_one_browser(
    new_browser: Browser, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    browsers = [await new_browser() for _ in range(BROWSERS)]

    answers = await asyncio.gather(*(browser.get(payment.secure_path) for browser in browsers))

    winners = [b for b, answer in zip(browsers, answers, strict=True) if answer.status_code == 303]
    losers = [answer for answer in answers if answer.status_code != 303]
    assert len(winners) == 1
    assert all(answer.status_code == 403 for answer in losers)
    assert all("Your payment session has expired" in answer.text for answer in losers)
    # Only the winner can reach the card page; every other browser holds nothing.
    card_pages = await asyncio.gather(*(b.get(f"/card_details/{payment.charge_id}") for b in browsers))
    assert sorted(page.status_code for page in card_pages) == [200] + [403] * (BROWSERS - 1)
    assert card_pages[browsers.index(winners[0])].status_code == 200


@pytest.mark.asyncio
async def test_twenty_simultaneous_mark_used_calls_have_one_winner(
    new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()
    url = f"/v1/frontend/tokens/{payment.token}/used"

    answers = await asyncio.gather(*(connector_client.post(url) for _ in range(BROWSERS)))

    assert sorted(answer.status_code for answer in answers) == [204] + [409] * (BROWSERS - 1)
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert refused.json() == {"error_identifier": "GENERIC", "message": ["Token already used!"]}
