"""Card-details bodies as the payment pages send them."""

from __future__ import annotations

from typing import Any


def card_body(number: str = "4242424242424242", brand: str = "visa", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "card_number": number,
        "cvc": "123",
        "expiry_date": "11/30",
        "card_brand": brand,
        "cardholder_name": "Mr Payment",
        "address": {"line1": "The street", "city": "The city", "postcode": "W1 2CP", "country": "GB"},
    }
    body.update(overrides)
    return body
