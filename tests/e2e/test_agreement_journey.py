"""Setting up a recurring-payments agreement through the payment pages, in a real browser (issue 13)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import PublicApi, Stack, check_accessibility, public_api_for
from tests.e2e.test_journeys import _fill_card
from tests.factories import create_account

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

DESCRIPTION = "Dorset Council 2022/23 council tax subscription"


@pytest_asyncio.fixture
async def recurring_api(stack: Stack, db_session: AsyncSession) -> AsyncIterator[PublicApi]:
    account = await create_account(db_session, service_name="Council tax", recurring_enabled=True)
    async for api in public_api_for(stack, account.id):
        yield api


async def test_a_set_up_payment_saves_the_card_and_activates_the_agreement(
    page: Page, recurring_api: PublicApi
) -> None:
    created = await recurring_api.http.post(
        "/v1/agreements", json={"reference": "CT-22-23-0001", "description": DESCRIPTION}
    )
    assert created.status_code == 201, created.text
    agreement_id = created.json()["agreement_id"]
    payment = await recurring_api.create_payment(set_up_agreement=agreement_id)
    await page.goto(payment["_links"]["next_url"]["href"])

    disclaimer = page.locator("#agreement-setup-disclaimer")
    await expect(disclaimer).to_contain_text("Your payment details will be saved for:")
    await expect(page.locator("#agreement-description")).to_have_text(DESCRIPTION)
    await check_accessibility(page, "card details of a set-up payment")

    await _fill_card(page)
    await page.click("#submit-card-details")
    await expect(page.locator("h1")).to_have_text("Confirm your payment")
    await page.click("#confirm")
    await page.wait_for_url(recurring_api.return_url)

    agreement = (await recurring_api.http.get(f"/v1/agreements/{agreement_id}")).json()
    assert agreement["status"] == "active"
    assert agreement["payment_instrument"]["type"] == "card"
    assert agreement["payment_instrument"]["card_details"]["last_digits_card_number"] == "4242"
