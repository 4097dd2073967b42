"""Seed 003's integration guide, step by step, against the running platform (issue 13).

One test per step, in the guide's order: create an agreement → set it up with a payment through
the payment pages → take a recurring payment with an ``Idempotency-Key`` → replay it → cancel the
agreement → a payment on it is refused; a MOTO API payment authorised with its one-time token;
disputes listed. Each test arranges the earlier steps the way a service would (through the public
API and the pages), so each stands alone and still follows the guide.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from tests.e2e.conftest import PublicApi, Stack, public_api_for
from tests.e2e.test_journeys import _fill_card
from tests.factories import create_account

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio]

KEY = {"Idempotency-Key": "ct-2024-05-household-17"}


@pytest_asyncio.fixture
async def api(stack: Stack, db_session: AsyncSession) -> AsyncIterator[PublicApi]:
    account = await create_account(
        db_session, service_name="Council tax", recurring_enabled=True, allow_authorisation_api=True
    )
    async for public_api in public_api_for(stack, account.id):
        yield public_api


async def _create_agreement(api: PublicApi) -> str:
    created = await api.http.post(
        "/v1/agreements",
        json={"reference": "CT-2024-HH17", "description": "Council tax 2024/25", "user_identifier": "hh-17"},
    )
    assert created.status_code == 201, created.text
    agreement_id: str = created.json()["agreement_id"]
    return agreement_id


async def _set_up_through_the_pages(page: Page, api: PublicApi, agreement_id: str, card: str) -> None:
    payment = await api.create_payment(set_up_agreement=agreement_id)
    await page.goto(payment["_links"]["next_url"]["href"])
    await expect(page.locator("#agreement-setup-disclaimer")).to_contain_text(
        "Your payment details will be saved"
    )
    await _fill_card(page, card)
    await page.click("#submit-card-details")
    await expect(page.locator("h1")).to_have_text("Confirm your payment")
    await page.click("#confirm")
    await page.wait_for_url(api.return_url)


def _recurring(agreement_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "amount": 12000,
        "reference": "CT-2024-05",
        "description": "Council tax, May",
        "agreement_id": agreement_id,
        "authorisation_mode": "agreement",
        **changes,
    }


async def _finished(api: PublicApi, payment_id: str) -> dict[str, Any]:
    """The payment once its authorisation (a worker's job) and capture are done."""
    for _ in range(100):
        payment = await api.get_payment(payment_id)
        if payment["state"]["finished"]:
            return payment
        await asyncio.sleep(0.1)
    raise AssertionError(f"payment {payment_id} did not finish: {payment['state']}")


async def test_step_1_create_an_agreement(api: PublicApi) -> None:
    agreement_id = await _create_agreement(api)

    agreement = (await api.http.get(f"/v1/agreements/{agreement_id}")).json()
    assert agreement["status"] == "created"
    assert agreement["reference"] == "CT-2024-HH17"
    assert "payment_instrument" not in agreement


async def test_step_2_set_up_the_agreement_with_a_payment_through_the_pages(
    page: Page, api: PublicApi
) -> None:
    agreement_id = await _create_agreement(api)

    await _set_up_through_the_pages(page, api, agreement_id, "4242 4242 4242 4242")

    agreement = (await api.http.get(f"/v1/agreements/{agreement_id}")).json()
    assert agreement["status"] == "active"
    assert agreement["payment_instrument"]["card_details"]["last_digits_card_number"] == "4242"


async def test_step_3_take_a_recurring_payment_with_an_idempotency_key(page: Page, api: PublicApi) -> None:
    agreement_id = await _create_agreement(api)
    await _set_up_through_the_pages(page, api, agreement_id, "4242 4242 4242 4242")

    created = await api.http.post("/v1/payments", json=_recurring(agreement_id), headers=KEY)

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["authorisation_mode"] == "agreement"
    assert body["agreement_id"] == agreement_id
    assert "next_url" not in body["_links"]  # nobody is sent to the payment pages
    payment = await _finished(api, body["payment_id"])
    assert payment["state"] == {"status": "success", "finished": True}
    assert payment["card_details"]["last_digits_card_number"] == "4242"


async def test_step_4_a_replay_with_the_same_key_returns_the_same_payment(page: Page, api: PublicApi) -> None:
    agreement_id = await _create_agreement(api)
    await _set_up_through_the_pages(page, api, agreement_id, "4242 4242 4242 4242")
    first = await api.http.post("/v1/payments", json=_recurring(agreement_id), headers=KEY)

    replay = await api.http.post("/v1/payments", json=_recurring(agreement_id), headers=KEY)
    changed = await api.http.post("/v1/payments", json=_recurring(agreement_id, amount=12001), headers=KEY)

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["payment_id"] == first.json()["payment_id"]
    assert changed.status_code == 409
    assert changed.json()["code"] == "P0191"
    listed = (await api.http.get("/v1/payments", params={"agreement_id": agreement_id})).json()
    # The set-up payment and one recurring payment: the replay made nothing new.
    assert listed["total"] == 2


async def test_step_5_a_cancelled_agreement_refuses_payments(page: Page, api: PublicApi) -> None:
    agreement_id = await _create_agreement(api)
    await _set_up_through_the_pages(page, api, agreement_id, "4242 4242 4242 4242")

    cancelled = await api.http.post(f"/v1/agreements/{agreement_id}/cancel")
    refused = await api.http.post("/v1/payments", json=_recurring(agreement_id))

    assert cancelled.status_code == 204
    assert (await api.http.get(f"/v1/agreements/{agreement_id}")).json()["status"] == "cancelled"
    assert refused.status_code == 400
    assert refused.json()["code"] == "P0102"
    assert refused.json()["field"] == "agreement_id"


async def test_step_6_a_moto_api_payment_is_authorised_with_its_one_time_token(api: PublicApi) -> None:
    created = await api.http.post(
        "/v1/payments",
        json={
            "amount": 4500,
            "reference": "PHONE-1",
            "description": "Parking permit",
            "authorisation_mode": "moto_api",
        },
    )
    assert created.status_code == 201, created.text
    auth = created.json()["_links"]["auth_url_post"]
    card = {
        "card_number": "4242424242424242",
        "expiry_date": "12/35",
        "cardholder_name": "J Payer",
        "cvc": "123",
    }

    # No API key: the one-time token is the credential (the guide's "Send card details").
    async with api.http.__class__(base_url=str(api.http.base_url)) as anonymous:
        authorised = await anonymous.post(auth["href"], json={**auth["params"], **card})
        reused = await anonymous.post(auth["href"], json={**auth["params"], **card})

    assert authorised.status_code == 204, authorised.text
    assert reused.status_code == 400
    assert reused.json()["code"] == "P1212"
    payment = await _finished(api, created.json()["payment_id"])
    assert payment["state"]["status"] == "success"


async def test_step_7_disputes_are_listed(page: Page, api: PublicApi) -> None:
    # The sandbox disputes payments made with 4000000000000259 once they are captured.
    payment = await api.create_payment()
    await page.goto(payment["_links"]["next_url"]["href"])
    await _fill_card(page, "4000 0000 0000 0259")
    await page.click("#submit-card-details")
    await page.click("#confirm")
    await page.wait_for_url(api.return_url)

    for _ in range(100):
        listed = (await api.http.get("/v1/disputes")).json()
        if listed["total"]:
            break
        await asyncio.sleep(0.1)
    assert listed["total"] == 1
    dispute = listed["results"][0]
    assert dispute["payment_id"] == payment["payment_id"]
    assert dispute["status"] == "needs_response"
