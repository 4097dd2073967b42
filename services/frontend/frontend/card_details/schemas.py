"""The card details form (fact sheet B7): its fields, card brand detection and the server-side rules.

Validation answers message *keys* of the i18n catalogues, so errors render in the charge's language.
Nothing here logs or keeps a card number or CVC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from frontend.connector_client import CardType
from pay_common.cards import DetectedCard, detect_brand, luhn_valid

#: Form field name → input id (the error summary links to the input).
FIELD_IDS: dict[str, str] = {
    "cardNo": "card-no",
    "expiryMonth": "expiry-month",
    "cardholderName": "cardholder-name",
    "cvc": "cvc",
    "addressLine1": "address-line-1",
    "addressLine2": "address-line-2",
    "addressCity": "address-city",
    "addressPostcode": "address-postcode",
    "addressCountry": "address-country",
    "email": "email",
}

#: Card fields never echoed back into a re-rendered form.
CARD_FIELDS = frozenset({"cardNo", "expiryMonth", "expiryYear", "cvc"})

#: Fields kept untrimmed (all others are trimmed, as pay-frontend does).
_UNTRIMMED = frozenset({"submitCardDetails", "csrfToken", "chargeId"})

_DIGITS = re.compile(r"[0-9]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UK_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]([0-9]|[ABEHMNPRV-Y])?|[0-9][A-HJKPS-UW]) ?[0-9][ABD-HJLNP-UW-Z]{2})$",
    re.IGNORECASE,
)
_EMAIL_LOCAL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+$")
_HOST_LABEL = re.compile(r"^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$", re.IGNORECASE)
_TLD = re.compile(r"^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$", re.IGNORECASE)

COUNTRIES: tuple[tuple[str, str], ...] = (
    ("GB", "United Kingdom"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("CA", "Canada"),
    ("CN", "China"),
    ("DK", "Denmark"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GI", "Gibraltar"),
    ("GG", "Guernsey"),
    ("IN", "India"),
    ("IE", "Ireland"),
    ("IM", "Isle of Man"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("JE", "Jersey"),
    ("NL", "Netherlands"),
    ("NZ", "New Zealand"),
    ("NO", "Norway"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("US", "United States"),
)
COUNTRY_CODES = frozenset(code for code, _ in COUNTRIES)


def valid_email(email: str) -> bool:
    """Notify's rules, as pay-frontend applies them: local part charset, no ``..``, host labels, TLD."""
    if len(email) > 254 or ".." in email or email.count("@") != 1:
        return False
    local, _, host = email.partition("@")
    if not local or not _EMAIL_LOCAL.match(local):
        return False
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = host.split(".")
    if len(labels) < 2 or any(
        not label or len(label) > 63 or not _HOST_LABEL.match(label) for label in labels
    ):
        return False
    return bool(_TLD.match(labels[-1]))


def _digit_count(value: str) -> int:
    return len(_DIGITS.findall(value))


@dataclass
class CardForm:
    values: dict[str, str]
    collect_address: bool
    email_mode: str
    errors: dict[str, str] = field(default_factory=dict)
    #: Message values (``{brand}``) for errors that need one.
    error_values: dict[str, dict[str, str]] = field(default_factory=dict)
    card: DetectedCard | None = None

    @classmethod
    def from_form(cls, raw: dict[str, str], *, collect_address: bool, email_mode: str) -> CardForm:
        # Control characters (NUL above all) are never part of what a payer means to type, and
        # PostgreSQL cannot store NUL: they are dropped before validation.
        values = {
            key: (value if key in _UNTRIMMED else _CONTROL.sub("", value).strip())
            for key, value in raw.items()
        }
        return cls(values=values, collect_address=collect_address, email_mode=email_mode)

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    @property
    def card_number(self) -> str:
        return re.sub(r"[^0-9]", "", self.get("cardNo"))

    @property
    def cvc(self) -> str:
        return re.sub(r"[^0-9]", "", self.get("cvc"))

    @property
    def expiry_date(self) -> str:
        """``MM/YY``, for connector."""
        month, year = int(self.get("expiryMonth")), int(self.get("expiryYear"))
        return f"{month:02d}/{year % 100:02d}"

    def echo(self) -> dict[str, str]:
        """Values to put back into a re-rendered form: never the card number, expiry or CVC."""
        return {key: value for key, value in self.values.items() if key not in CARD_FIELDS}

    def _fail(self, name: str, key: str, **values: str) -> None:
        self.errors.setdefault(name, key)
        if values:
            self.error_values.setdefault(name, values)

    def validate(self, card_types: list[CardType], *, block_prepaid: bool, today: date) -> bool:
        self._card_number(card_types, block_prepaid)
        self._expiry(today)
        if not re.fullmatch(r"[0-9]{3,4}", self.cvc):
            self._fail("cvc", "errors.cvc")
        name = self.get("cardholderName")
        if not name or _digit_count(name) > 11 or re.fullmatch(r"\s*[0-9]{3,4}\s*", name):
            self._fail("cardholderName", "errors.cardholder_name")
        if self.collect_address:
            self._address()
        self._email()
        return not self.errors

    def _card_number(self, card_types: list[CardType], block_prepaid: bool) -> None:
        raw = self.get("cardNo")
        number = self.card_number
        if not raw or not re.fullmatch(r"[0-9 ]+", raw):
            self._fail("cardNo", "errors.card_number")
            return
        if not 12 <= len(number) <= 19:
            self._fail("cardNo", "errors.card_number_length")
            return
        if not luhn_valid(number):
            self._fail("cardNo", "errors.card_number")
            return
        card = detect_brand(number)
        if card is None:
            self._fail("cardNo", "errors.card_not_supported")
            return
        accepted = [card_type for card_type in card_types if card_type.brand == card.brand]
        label = next(
            (card_type.label for card_type in card_types if card_type.brand == card.brand), card.brand
        )
        if not accepted:
            self._fail("cardNo", "errors.unsupported_brand", brand=_brand_label(card.brand, label))
            return
        accepted_types = {card_type.type for card_type in accepted}
        if card.card_type == "DEBIT" and "DEBIT" not in accepted_types:
            self._fail("cardNo", "errors.unsupported_debit", brand=label)
        elif card.card_type == "CREDIT" and "CREDIT" not in accepted_types:
            self._fail("cardNo", "errors.unsupported_credit", brand=label)
        elif block_prepaid and card.prepaid == "PREPAID":
            self._fail("cardNo", "errors.unsupported_prepaid")
        else:
            self.card = card

    def _expiry(self, today: date) -> None:
        month, year = self.get("expiryMonth"), self.get("expiryYear")
        if not re.fullmatch(r"0?[1-9]|1[0-2]", month) or not re.fullmatch(r"[0-9]{2}|[1-9][0-9]{3}", year):
            self._fail("expiryMonth", "errors.expiry")
            return
        full_year = int(year) + 2000 if len(year) == 2 else int(year)
        if full_year > 2099:
            self._fail("expiryMonth", "errors.expiry")
        elif (full_year, int(month)) < (today.year, today.month):
            self._fail("expiryMonth", "errors.expiry_past")

    def _address(self) -> None:
        required = {
            "addressLine1": "errors.address_line1",
            "addressCity": "errors.address_city",
            "addressPostcode": "errors.address_postcode",
        }
        for name, key in required.items():
            value = self.get(name)
            if not value or _digit_count(value) > 11:
                self._fail(name, key)
        if _digit_count(self.get("addressLine2")) > 11:
            self._fail("addressLine2", "errors.address_line2")
        country = self.get("addressCountry")
        if country not in COUNTRY_CODES:
            self._fail("addressCountry", "errors.address_country")
        elif country == "GB" and "addressPostcode" not in self.errors:
            if not _UK_POSTCODE.match(self.get("addressPostcode")):
                self._fail("addressPostcode", "errors.address_postcode")

    def _email(self) -> None:
        email = self.get("email")
        if self.email_mode == "OFF" or (self.email_mode == "OPTIONAL" and not email):
            return
        # More than 11 digits is a card number typed in the wrong box, as for name and address.
        if not valid_email(email) or _digit_count(email) > 11:
            self._fail("email", "errors.email")


#: Pay's brand labels (connector's card_types), for brands the account does not list.
BRAND_LABELS = {
    "visa": "Visa",
    "master-card": "Mastercard",
    "american-express": "American Express",
    "diners-club": "Diners Club",
    "discover": "Discover",
    "jcb": "Jcb",
    "unionpay": "Union Pay",
    "maestro": "Maestro",
}


def _brand_label(brand: str, label: str) -> str:
    return label if label != brand else BRAND_LABELS.get(brand, brand)
