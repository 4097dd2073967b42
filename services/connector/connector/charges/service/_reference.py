"""Is a payment-link reference really a card number? (connector.md §4.2 step 8)

People paying through a payment link sometimes type their card number into the reference
box, which would then be stored and shown in plain text. The original asks its card-id
service whether the digits' BIN is a known card range; we have no such service, so a number
counts as a card when, after removing spaces and hyphens, it is 12–19 digits, passes the
Luhn check and starts with the issuer prefix of a card brand we accept (the ranges below).
"""

from __future__ import annotations

import re

from connector.charges.schemas import ChargeCreateRequest
from connector.errors import BadRequest
from pay_common.cards import luhn_valid
from pay_common.json_input import is_ascii_digits

#: Sources whose reference the paying user typed (payment links and agent-initiated MOTO).
USER_TYPED_SOURCES = frozenset({"CARD_PAYMENT_LINK", "CARD_AGENT_INITIATED_MOTO"})

_SEPARATORS = re.compile(r"[\s-]")
#: (low, high) prefix ranges, compared on the same number of leading digits as the bounds.
_CARD_RANGES: tuple[tuple[str, str], ...] = (
    ("4", "4"),  # Visa
    ("51", "55"),  # Mastercard
    ("2221", "2720"),  # Mastercard 2-series
    ("34", "34"),  # American Express
    ("37", "37"),
    ("300", "305"),  # Diners Club
    ("36", "36"),
    ("38", "39"),
    ("6011", "6011"),  # Discover
    ("644", "649"),
    ("65", "65"),
    ("3528", "3589"),  # JCB
    ("62", "62"),  # UnionPay
    ("50", "50"),  # Maestro
    ("56", "58"),
    ("6", "6"),
)


def looks_like_card_number(text: str) -> bool:
    digits = _SEPARATORS.sub("", text)
    if not (12 <= len(digits) <= 19 and is_ascii_digits(digits) and luhn_valid(digits)):
        return False
    return any(low <= digits[: len(low)] <= high for low, high in _CARD_RANGES)


#: A run of digits, spaces and hyphens long enough to be a card number.
_DIGIT_RUN = re.compile(r"[0-9][0-9\s-]{10,}[0-9]")


def contains_card_number(text: str) -> bool:
    """Whether free text (an email address, say) holds a card number anywhere in it."""
    return any(looks_like_card_number(run) for run in _DIGIT_RUN.findall(text))


def check_reference_is_not_a_card_number(request: ChargeCreateRequest) -> None:
    """400 ``CARD_NUMBER_IN_PAYMENT_LINK_REFERENCE_REJECTED`` for a card number typed as a reference."""
    source = request.source.strip() if request.source else None
    if source in USER_TYPED_SOURCES and request.reference and looks_like_card_number(request.reference):
        raise BadRequest(
            "Card number entered in a payment link reference",
            error_identifier="CARD_NUMBER_IN_PAYMENT_LINK_REFERENCE_REJECTED",
        )
