"""The confirmation page's card summary (fact sheet B2 step 5)."""

from __future__ import annotations

from frontend.connector_client import Charge

MASK = "●●●●●●●●●●●●"


def masked_card_number(charge: Charge) -> str:
    last4 = charge.card_details.last_digits_card_number if charge.card_details else None
    return f"{MASK}{last4 or ''}"


def billing_address_lines(charge: Charge) -> list[str]:
    address = charge.card_details.billing_address if charge.card_details else None
    if address is None:
        return []
    parts = [address.line1, address.line2, address.city, address.postcode, address.country]
    return [part for part in parts if part]
