"""The card details page and its submission (fact sheet B2 steps 2-3, B7, B10)."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_account
from tests.frontend.conftest import PaymentFactory, charge_status, csrf_of, start, submit_card


@pytest.mark.asyncio
async def test_card_page_shows_the_payment_and_the_accepted_brands(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    page = await start(browser, await new_payment(amount=1234, description="Pay your parking fine"))

    assert "Pay your parking fine" in page.text
    assert "£12.34" in page.text
    assert "Accepted credit and debit card types" in page.text
    assert "Visa" in page.text
    assert "Mastercard" in page.text
    assert "American Express" in page.text
    for name in ("cardNo", "expiryMonth", "expiryYear", "cardholderName", "cvc", "addressLine1", "email"):
        assert f'name="{name}"' in page.text
    assert 'autocomplete="cc-number"' in page.text
    assert "/static/govuk/govuk-frontend.min.css" in page.text
    assert page.headers["cache-control"] == "private, no-cache, no-store, must-revalidate"
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp
    assert "object-src 'none'" in csp
    nonce = re.search(r"'nonce-([0-9a-f]+)'", csp)
    assert nonce
    assert f'nonce="{nonce.group(1)}"' in page.text
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("mode", "shown", "label"),
    [("MANDATORY", True, "Email<"), ("OPTIONAL", True, "Email (optional)"), ("OFF", False, "")],
)
@pytest.mark.asyncio
async def test_email_field_follows_the_collection_mode(
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
    db_session: AsyncSession,
    mode: str,
    shown: bool,
    label: str,
) -> None:
    account = await create_account(db_session, email_collection_mode=mode)
    page = await start(browser, await new_payment(account))

    assert ('name="email"' in page.text) is shown
    if shown:
        assert label in page.text


@pytest.mark.asyncio
async def test_optional_email_may_be_left_empty(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    payment = await new_payment(await create_account(db_session, email_collection_mode="OPTIONAL"))
    page = await start(browser, payment)

    response = await submit_card(browser, payment, page, email="")

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}/confirm"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"cardNo": ""}, "Enter a valid card number"),
        ({"cardNo": "4242-4242-4242-4242"}, "Enter a valid card number"),
        ({"cardNo": "4242 4242 4242 4241"}, "Enter a valid card number"),
        ({"cardNo": "4242 4242"}, "Card number is not the correct length"),
        ({"cardNo": "6759 6498 2643 8453"}, "Maestro is not supported"),
        ({"expiryMonth": "13"}, "Enter a valid expiry date"),
        ({"expiryYear": "2019"}, "Enter an expiry date in the future"),
        ({"expiryYear": "2100"}, "Enter a valid expiry date"),
        ({"cvc": "12"}, "Enter a valid card security code"),
        ({"cvc": "12345"}, "Enter a valid card security code"),
        ({"cardholderName": ""}, "Enter the name as it appears on the card"),
        ({"cardholderName": "123"}, "Enter the name as it appears on the card"),
        ({"cardholderName": "4242424242424242"}, "Enter the name as it appears on the card"),
        ({"addressLine1": ""}, "Enter address line 1, typically the building and street"),
        ({"addressLine2": "424242424242"}, "Enter address line 2"),
        ({"addressCity": ""}, "Enter a valid town/city"),
        ({"addressPostcode": "NOT A CODE"}, "Enter a valid postcode"),
        ({"addressCountry": "XX"}, "Enter a valid country or territory"),
        ({"email": "jane@example"}, "Enter a valid email"),
        ({"email": "jane..doe@example.org"}, "Enter a valid email"),
    ],
)
@pytest.mark.asyncio
async def test_invalid_input_re_renders_the_form_with_the_message(
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
    connector_client: httpx.AsyncClient,
    fields: dict[str, str],
    message: str,
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    response = await submit_card(browser, payment, page, **fields)

    assert response.status_code == 200
    assert "The following fields are missing or contain errors" in response.text
    assert 'class="govuk-error-summary"' in response.text
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}</p>' in response.text
    assert await charge_status(connector_client, payment.charge_id) == "ENTERING CARD DETAILS"


@pytest.mark.asyncio
async def test_a_non_uk_postcode_is_not_checked_against_uk_rules(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    response = await submit_card(browser, payment, page, addressCountry="US", addressPostcode="90210")

    assert response.status_code == 303


@pytest.mark.asyncio
async def test_card_number_and_cvc_are_never_echoed_back(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    response = await submit_card(
        browser,
        payment,
        page,
        cardNo="4242424242424242",
        cvc="987",
        expiryYear="2019",
        cardholderName="Jane Payer",
    )

    assert response.status_code == 200
    assert "4242424242424242" not in response.text
    assert 'value="987"' not in response.text
    assert 'value="Jane Payer"' in response.text  # the other fields are kept
    logged = capsys.readouterr()
    assert "4242424242424242" not in logged.out + logged.err


@pytest.mark.asyncio
async def test_email_is_saved_even_when_other_fields_are_wrong(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    await submit_card(browser, payment, page, cvc="1", email="kept@example.org")

    charge = (await connector_client.get(f"/v1/frontend/charges/{payment.charge_id}")).json()
    assert charge["email"] == "kept@example.org"


@pytest.mark.asyncio
async def test_a_success_card_goes_to_the_confirm_page(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    response = await submit_card(browser, payment, page)

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}/confirm"
    assert await charge_status(connector_client, payment.charge_id) == "AUTHORISATION SUCCESS"


@pytest.mark.asyncio
async def test_a_declined_card_shows_the_declined_page(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    response = await submit_card(browser, payment, page, cardNo="4000000000000002")

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}"
    declined = await browser.get(response.headers["location"])
    assert declined.status_code == 200
    assert "Your payment has been declined" in declined.text
    assert f'href="/return/{payment.charge_id}"' in declined.text
    assert await charge_status(connector_client, payment.charge_id) == "AUTHORISATION REJECTED"


@pytest.mark.asyncio
async def test_a_gateway_error_card_shows_technical_problems(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)

    response = await submit_card(browser, payment, page, cardNo="4000000000000119")

    # Connector answers 400 for the sandbox's generic gateway error: back to the card page,
    # whose state enforcer shows the AUTHORISATION ERROR page.
    assert response.status_code == 303
    follow = await browser.get(response.headers["location"])
    assert follow.status_code == 200
    assert "We’re experiencing technical problems" in follow.text
    assert "Traceback" not in follow.text


@pytest.mark.asyncio
async def test_a_post_without_csrf_token_is_refused(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, connector_client: httpx.AsyncClient
) -> None:
    payment = await new_payment()
    page = await start(browser, payment)
    assert csrf_of(page, "card-details")

    response = await browser.post(f"/card_details/{payment.charge_id}", data={"cardNo": "4242424242424242"})

    assert response.status_code == 400
    assert "We’re experiencing technical problems" in response.text
    assert await charge_status(connector_client, payment.charge_id) == "ENTERING CARD DETAILS"


@pytest.mark.asyncio
async def test_resubmitting_while_authorisation_is_in_progress_goes_to_auth_waiting(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    from tests.frontend.conftest import force_status

    payment = await new_payment()
    page = await start(browser, payment)
    await force_status(db_session, payment.charge_id, "AUTHORISATION READY")

    response = await submit_card(browser, payment, page)

    assert response.status_code == 303
    assert response.headers["location"] == f"/card_details/{payment.charge_id}/auth_waiting"
    waiting = await browser.get(response.headers["location"])
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="2">' in waiting.text
    await force_status(db_session, payment.charge_id, "AUTHORISATION SUCCESS")
    done = await browser.get(response.headers["location"])
    assert done.status_code == 303
    assert done.headers["location"] == f"/card_details/{payment.charge_id}/confirm"
