"""Welsh: a charge with language ``cy`` shows every page in Welsh (fact sheet B9)."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import frontend
from tests.frontend.conftest import PaymentFactory, csrf_of, force_status, start, submit_card

I18N = Path(frontend.__file__).parent / "i18n"


def test_both_catalogues_hold_the_same_keys() -> None:
    english = json.loads((I18N / "en.json").read_text(encoding="utf-8"))
    welsh = json.loads((I18N / "cy.json").read_text(encoding="utf-8"))

    assert english.keys() == welsh.keys()
    untranslated = {key for key in english if english[key] == welsh[key]} - {"service.name", "page.suffix"}
    assert not untranslated


@pytest.mark.asyncio
async def test_a_welsh_payment_renders_in_welsh(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment(language="cy")

    page = await start(browser, payment)

    assert '<html lang="cy"' in page.text
    assert "Rhowch fanylion y cerdyn" in page.text
    assert "Rhif y cerdyn" in page.text
    assert "Enter card details" not in page.text

    errors = await submit_card(browser, payment, page, cvc="1")
    assert "Mae’r meysydd canlynol yn wag neu yn cynnwys camgymeriadau" in errors.text
    assert "Rhowch god diogelwch cerdyn dilys" in errors.text

    await submit_card(browser, payment, errors)
    confirm = await browser.get(f"/card_details/{payment.charge_id}/confirm")
    assert "Cadarnhau eich taliad" in confirm.text

    cancelled = await browser.post(
        f"/card_details/{payment.charge_id}/cancel", data={"csrfToken": csrf_of(confirm, "cancel-payment")}
    )
    assert "Mae eich taliad wedi cael ei ganslo" in cancelled.text


@pytest.mark.parametrize(
    ("status", "welsh"),
    [
        ("AUTHORISATION SUCCESS", "Mae eich taliad ar y gweill"),
        ("AUTHORISATION REJECTED", "Mae eich taliad wedi cael ei wrthod"),
        ("AUTHORISATION ERROR", "Rydym yn cael problemau technegol"),
        ("CAPTURED", "Roedd eich taliad yn llwyddiannus"),
        ("CAPTURE ERROR", "Roedd eich taliad yn aflwyddiannus"),
        ("EXPIRED", "Mae eich sesiwn talu wedi dod i ben"),
        ("SYSTEM CANCELLED", "Taliad wedi’i ganslo"),
        ("USER CANCELLED", "Mae eich taliad wedi cael ei ganslo"),
        ("CAPTURE READY", "Prosesu manylion y cerdyn"),
        ("AUTHORISATION TIMEOUT", "Mae gwall wedi digwydd"),
    ],
)
@pytest.mark.asyncio
async def test_every_state_page_is_in_welsh(
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
    db_session: AsyncSession,
    status: str,
    welsh: str,
) -> None:
    payment = await new_payment(language="cy")
    await start(browser, payment)
    await force_status(db_session, payment.charge_id, status)

    page = await browser.get(f"/card_details/{payment.charge_id}")

    assert welsh in page.text
    assert '<html lang="cy"' in page.text
