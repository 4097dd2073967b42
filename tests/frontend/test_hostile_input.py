"""The payment pages under hostile input: the card form with an error message or the documented
error page, never a 500, and nothing written to connector's database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.frontend.conftest import GOOD_CARD, PaymentFactory, csrf_of, start
from tests.hostile import database_state

pytestmark = pytest.mark.asyncio


def _state(db_session: AsyncSession) -> Any:
    return database_state(db_session)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("expiryMonth", "1" * 5000),
        ("expiryYear", "1e400"),
        ("expiryYear", "NaN"),
        ("expiryMonth", "\u0661\u0662"),
        ("expiryYear", "\u00b9\u00b9"),
        ("cardNo", "\u0664\u0662\u0664\u0662" * 4),
        ("cvc", "\u0661\u0662\u0663"),
        ("cardNo", "4242\x004242"),
        ("email", "4242424242424242@example.org"),
        ("cardNo", "\x00"),
    ],
    ids=lambda value: value[:12].encode("unicode_escape").decode() if isinstance(value, str) else value,
)
async def test_odd_card_form_values_redisplay_the_form_with_an_error(
    field: str, value: str, browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    # The charge already holds the form's valid email, so the form's email patch changes nothing.
    payment = await new_payment(email=GOOD_CARD["email"])
    page = await start(browser, payment)
    before = await _state(db_session)
    form = {
        **GOOD_CARD,
        field: value,
        "csrfToken": csrf_of(page, "card-details"),
        "chargeId": payment.charge_id,
    }

    response = await browser.post(f"/card_details/{payment.charge_id}", data=form)

    assert response.status_code == 200, response.text[:300]
    assert "govuk-error-summary" in response.text
    assert await _state(db_session) == before


async def test_a_card_form_post_without_content_type_is_the_csrf_error_page(
    browser: httpx.AsyncClient, new_payment: PaymentFactory, db_session: AsyncSession
) -> None:
    """A body without Content-Type cannot be read as a form, so it carries no CSRF token: the
    documented answer is the system error page (fact sheet B6), with 400 where pay-frontend says 500."""
    payment = await new_payment()
    page = await start(browser, payment)
    before = await _state(db_session)
    form = {**GOOD_CARD, "csrfToken": csrf_of(page, "card-details")}

    response = await browser.post(f"/card_details/{payment.charge_id}", content=str(httpx.QueryParams(form)))

    assert response.status_code == 400
    assert "We’re experiencing technical problems" in response.text
    assert await _state(db_session) == before


async def test_a_form_value_with_invalid_utf8_is_read_as_replacement_characters(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment(email=GOOD_CARD["email"])
    page = await start(browser, payment)
    form = {**GOOD_CARD, "cardholderName": "", "csrfToken": csrf_of(page, "card-details")}
    encoded = f"{httpx.QueryParams(form)}".replace("cardholderName=", "cardholderName=%ED%BF%BF%FF")

    response = await browser.post(
        f"/card_details/{payment.charge_id}",
        content=encoded,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 303, response.text[:300]


@pytest.mark.parametrize("token", ["%00", "a%00b", "%FF%FE", "%C3%28", "a%0Ab", "%ED%A0%80"])
async def test_an_odd_secure_token_is_the_documented_error_page(
    token: str, browser: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    before = await _state(db_session)

    response = await browser.get(f"/secure/{token}")

    assert response.status_code in (302, 400, 403, 404), response.text[:300]
    assert await _state(db_session) == before


@pytest.mark.parametrize("path", ["/card_details/a%00b", "/card_details/a%1Fb/confirm", "/card_details/%7F"])
async def test_control_characters_in_a_path_go_where_unknown_paths_go(
    path: str, browser: httpx.AsyncClient
) -> None:
    response = await browser.get(path)

    assert response.status_code == 302
    assert response.headers["location"] == "https://www.gov.uk/404"


@pytest.mark.parametrize("charge_id", ["a?b", "a#b", "..", "a%2Fb"])
async def test_odd_charge_ids_never_reach_another_connector_url(
    charge_id: str, browser: httpx.AsyncClient
) -> None:
    response = await browser.get(f"/card_details/{charge_id}")

    assert response.status_code in (302, 403, 404), response.text[:300]


async def test_headers_beyond_the_limits_get_the_error_page(browser: httpx.AsyncClient) -> None:
    many = [(f"x-h{index}", "v") for index in range(101)]

    response = await browser.get("/healthcheck", headers=many)

    assert response.status_code == 431
    assert "text/html" in response.headers["content-type"]
