"""The card form's rules, one by one (fact sheet B7)."""

from __future__ import annotations

from datetime import date

import pytest

from frontend.card_details.schemas import CardForm, valid_email
from frontend.connector_client import CardType
from pay_common.cards import detect_brand, luhn_valid

VISA_DEBIT_ONLY = [CardType(brand="visa", label="Visa", type="DEBIT")]
ALL = [
    CardType(brand=brand, label=label, type=card_type)
    for brand, label, card_type in [
        ("visa", "Visa", "DEBIT"),
        ("visa", "Visa", "CREDIT"),
        ("master-card", "Mastercard", "CREDIT"),
        ("master-card", "Mastercard", "DEBIT"),
        ("american-express", "American Express", "CREDIT"),
    ]
]


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5105105105105100", "master-card"),
        ("2221000000000009", "master-card"),
        ("371449635398431", "american-express"),
        ("36148900647913", "diners-club"),
        ("6011000990139424", "discover"),
        ("3566002020360505", "jcb"),
        ("6759649826438453", "maestro"),
    ],
)
def test_brand_detection(number: str, brand: str) -> None:
    card = detect_brand(number)
    assert card is not None
    assert card.brand == brand


def test_luhn() -> None:
    assert luhn_valid("4242424242424242")
    assert not luhn_valid("4242424242424241")


@pytest.mark.parametrize(
    ("email", "valid"),
    [
        ("jane@example.org", True),
        ("jane.doe+tag@sub.example.co.uk", True),
        ("jane@exämple.org", True),
        ("jane@example", False),
        ("jane@@example.org", False),
        ("jane..doe@example.org", False),
        ("jane@-example.org", False),
        ("jane@example.o", False),
        ("a" * 250 + "@example.org", False),
    ],
)
def test_email_rules(email: str, valid: bool) -> None:
    assert valid_email(email) is valid


def _form(**values: str) -> CardForm:
    base = {
        "cardNo": "4242424242424242",
        "expiryMonth": "3",
        "expiryYear": "27",
        "cardholderName": "J Payer",
        "cvc": "1234",
        "email": "",
    }
    return CardForm.from_form({**base, **values}, collect_address=False, email_mode="OFF")


def test_expiry_this_month_is_accepted_and_last_month_refused() -> None:
    today = date(2027, 3, 15)
    assert _form().validate(ALL, block_prepaid=False, today=today)
    past = _form(expiryMonth="2")
    assert not past.validate(ALL, block_prepaid=False, today=today)
    assert past.errors == {"expiryMonth": "errors.expiry_past"}
    assert _form().expiry_date == "03/27"


def test_a_debit_only_account_refuses_a_known_credit_card() -> None:
    form = _form(cardNo="4988080000000000")
    assert not form.validate(VISA_DEBIT_ONLY, block_prepaid=False, today=date(2026, 1, 1))
    assert form.errors == {"cardNo": "errors.unsupported_credit"}
    assert form.error_values == {"cardNo": {"brand": "Visa"}}


def test_prepaid_cards_are_refused_when_the_account_blocks_them() -> None:
    form = _form(cardNo="4131840000000003")
    assert not form.validate(ALL, block_prepaid=True, today=date(2026, 1, 1))
    assert form.errors == {"cardNo": "errors.unsupported_prepaid"}


def test_echo_never_returns_card_data() -> None:
    echoed = _form().echo()
    assert {"cardNo", "cvc", "expiryMonth", "expiryYear"}.isdisjoint(echoed)
    assert echoed["cardholderName"] == "J Payer"
