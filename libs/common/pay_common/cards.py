"""What a card-id service would say about a card number: brand, type, corporate, prepaid.

The original asks its card-id service (BIN ranges from the card schemes). We have none, so
the brand comes from the schemes' published prefix ranges (in the spirit of credit-card-type
6.3: the longest matching prefix wins) and the flags from the sandbox's test cards. Both the
payment pages (the card form) and connector (the MOTO API, where no payment page has looked
the card up) use it, so a card is read the same way on either path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CardKind = Literal["DEBIT", "CREDIT", "CREDIT_OR_DEBIT"]
Prepaid = Literal["PREPAID", "NOT_PREPAID", "UNKNOWN"]


@dataclass(frozen=True)
class DetectedCard:
    brand: str
    #: ``DEBIT``/``CREDIT``/``CREDIT_OR_DEBIT`` (we have no card-id service: known test cards only).
    card_type: CardKind = "CREDIT_OR_DEBIT"
    corporate: bool = False
    prepaid: Prepaid = "UNKNOWN"


# (brand, prefix ranges, lengths): the longest prefix wins.
_BRANDS: tuple[tuple[str, tuple[tuple[int, int], ...], frozenset[int]], ...] = (
    ("visa", ((4, 4),), frozenset({13, 16, 18, 19})),
    ("master-card", ((51, 55), (2221, 2720)), frozenset({16})),
    ("american-express", ((34, 34), (37, 37)), frozenset({15})),
    ("diners-club", ((300, 305), (36, 36), (38, 39)), frozenset({14, 16, 19})),
    ("discover", ((6011, 6011), (644, 649), (65, 65)), frozenset({16, 19})),
    ("jcb", ((2131, 2131), (1800, 1800), (3528, 3589)), frozenset({16, 17, 18, 19})),
    ("unionpay", ((620, 620), (624, 626), (62100, 62182), (62184, 62187), (62185, 62197), (62200, 62205),
                  (622010, 622999), (627, 628), (8100, 8171)), frozenset({14, 15, 16, 17, 18, 19})),
    ("maestro", ((493698, 493698), (500000, 504174), (504176, 506698), (506779, 508999), (56, 59), (63, 63),
                 (67, 67), (6, 6)), frozenset(range(12, 20))),
)  # fmt: skip

#: What a card-id lookup would say about the sandbox's corporate and prepaid test cards.
_TEST_CARD_FLAGS: dict[str, tuple[CardKind, bool, Prepaid]] = {
    "4988080000000000": ("CREDIT", True, "NOT_PREPAID"),
    "5101180000000007": ("CREDIT", True, "NOT_PREPAID"),
    "4293189100000008": ("DEBIT", True, "NOT_PREPAID"),
    "4131840000000003": ("DEBIT", True, "PREPAID"),
    "4000180000000002": ("DEBIT", True, "PREPAID"),
    "5200828282828210": ("DEBIT", True, "PREPAID"),
}


def detect_brand(number: str) -> DetectedCard | None:
    """The card behind ``number`` (ASCII digits only), or None when no scheme's range holds it."""
    best: tuple[int, str] | None = None
    for brand, ranges, _lengths in _BRANDS:
        for low, high in ranges:
            width = len(str(low))
            if (
                len(number) >= width
                and low <= int(number[:width]) <= high
                and (best is None or width > best[0])
            ):
                best = (width, brand)
    if best is None:
        return None
    flags: tuple[CardKind, bool, Prepaid] = ("CREDIT_OR_DEBIT", False, "UNKNOWN")
    card_type, corporate, prepaid = _TEST_CARD_FLAGS.get(number, flags)
    if best[1] == "maestro":
        card_type = "DEBIT"
    return DetectedCard(best[1], card_type, corporate, prepaid)


def luhn_valid(number: str) -> bool:
    """The Luhn (mod 10) check digit of ``number`` (ASCII digits only) is right."""
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0
