"""What may be kept of a card on the charge row (connector.md §7.1): never the number or the CVC."""

from __future__ import annotations

from connector.authorisation.schemas import CardAuthorisationRequest, digit_count
from connector.models import Charge, GatewayAccount


def sanitise(value: str | None) -> str | None:
    """Star out every digit of a string holding more than 10 digits (a card number typed by mistake)."""
    if value is None or digit_count(value) <= 10:
        return value
    return "".join("*" if character.isdigit() else character for character in value)


def store_card_details(charge: Charge, card: CardAuthorisationRequest) -> None:
    number = card.card_number
    charge.first_digits_card_number = number[:6] if len(number) > 6 else None
    charge.last_digits_card_number = number[-4:] if len(number) >= 4 else None
    charge.card_brand = sanitise(card.card_brand)
    charge.card_type = card.card_type if card.card_type in ("CREDIT", "DEBIT") else None
    charge.cardholder_name = sanitise(card.cardholder_name)
    charge.expiry_date = card.expiry_date
    address = card.address
    charge.address_line1 = sanitise(address.line1) if address else None
    charge.address_line2 = sanitise(address.line2) if address else None
    charge.address_postcode = sanitise(address.postcode) if address else None
    charge.address_city = sanitise(address.city) if address else None
    charge.address_county = sanitise(address.county) if address else None
    charge.address_country = sanitise(address.country) if address else None


def corporate_surcharge(account: GatewayAccount, card: CardAuthorisationRequest) -> int | None:
    """The corporate-card surcharge of §7.3 in pence; None (not 0) when there is none."""
    amount = 0
    if card.corporate_card and card.prepaid == "NOT_PREPAID":
        if card.card_type == "CREDIT":
            amount = account.corporate_credit_card_surcharge_amount
        elif card.card_type == "DEBIT":
            amount = account.corporate_debit_card_surcharge_amount
    elif card.corporate_card and card.prepaid == "PREPAID" and card.card_type == "DEBIT":
        amount = account.corporate_prepaid_debit_card_surcharge_amount
    return amount if amount > 0 else None
