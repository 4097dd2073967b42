"""A set-up payment (``set_up_agreement``) tells the payer their card will be saved, in
English and Welsh, and paying through the pages makes the agreement active with that card."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_account
from tests.frontend.conftest import Payment, PaymentFactory, csrf_of, start, submit_card

pytestmark = pytest.mark.asyncio

AGREEMENT = {"reference": "CT-1", "description": "Dorset Council 2022/23 council tax subscription"}


async def _set_up_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, new_payment: PaymentFactory, language: str
) -> tuple[str, Payment]:
    account = await create_account(db_session, recurring_enabled=True)
    created = await connector_client.post(f"/v1/api/accounts/{account.id}/agreements", json=AGREEMENT)
    agreement_id = created.json()["agreement_id"]
    payment = await new_payment(
        account, agreement_id=agreement_id, save_payment_instrument_to_agreement=True, language=language
    )
    return agreement_id, payment


@pytest.mark.parametrize(
    ("language", "wording"),
    [
        ("en", "Your payment details will be saved for:"),
        ("cy", "Bydd eich manylion talu’n cael eu cadw ar gyfer:"),
    ],
)
async def test_card_page_says_the_card_will_be_saved_for_the_agreement(
    browser: httpx.AsyncClient,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    new_payment: PaymentFactory,
    language: str,
    wording: str,
) -> None:
    _, payment = await _set_up_payment(connector_client, db_session, new_payment, language)
    page = await start(browser, payment)
    assert wording in page.text
    assert AGREEMENT["description"] in page.text


async def test_an_ordinary_payment_says_nothing_about_saving(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    page = await start(browser, await new_payment())
    assert "agreement-setup-disclaimer" not in page.text


async def test_paying_through_the_pages_activates_the_agreement(
    browser: httpx.AsyncClient,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    new_payment: PaymentFactory,
) -> None:
    agreement_id, payment = await _set_up_payment(connector_client, db_session, new_payment, "en")
    page = await start(browser, payment)
    await submit_card(browser, payment, page)
    confirm = await browser.get(f"/card_details/{payment.charge_id}/confirm")
    await browser.post(
        f"/card_details/{payment.charge_id}/confirm",
        data={"csrfToken": csrf_of(confirm, "confirm-payment")},
    )
    account_id = payment.account.id
    agreement = (
        await connector_client.get(f"/v1/api/accounts/{account_id}/agreements/{agreement_id}")
    ).json()
    assert agreement["status"] == "ACTIVE"
    assert agreement["payment_instrument"]["card_details"]["last_digits_card_number"] == "4242"
