"""The telephone payment notification body (connector.md §10), validated field by field.

Every violation is reported at once, as the original's bean validation does (422 ``GENERIC``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connector.errors import Unprocessable
from connector.fields import optional_string
from connector.search.schemas import parse_zoned_datetime

CARD_BRANDS = ("master-card", "visa", "maestro", "diners-club", "american-express", "jcb")
FAILURE_CODES = frozenset({"P0010", "P0030", "P0050"})
REQUIRED_TEXT = ("reference", "description", "processor_id", "provider_id")
MAX_LENGTH = {
    "reference": 255,
    "description": 255,
    "provider_id": 255,
    "name_on_card": 255,
    "email_address": 254,
}
CARD_EXPIRY = re.compile(r"(0[1-9]|1[0-2])/[0-9]{2}")
#: Upstream's wording of a telephone payment's too-long field.
TOO_LONG = "Field [{name}] must have a maximum length of {limit} characters"


class TelephoneRequestInvalid(Unprocessable):
    pass


@dataclass(frozen=True)
class PaymentOutcome:
    status: str
    code: str | None = None
    supplemental: dict[str, str] | None = None


@dataclass(frozen=True)
class TelephoneChargeRequest:
    amount: int
    reference: str
    description: str
    processor_id: str
    provider_id: str
    payment_outcome: PaymentOutcome
    created_date: datetime | None = None
    authorised_date: datetime | None = None
    auth_code: str | None = None
    card_type: str | None = None
    name_on_card: str | None = None
    email_address: str | None = None
    card_expiry: str | None = None
    last_four_digits: str | None = None
    first_six_digits: str | None = None
    telephone_number: str | None = None
    #: The body as received, for the stored outcome (dates kept as given).
    raw: dict[str, Any] | None = None


def _outcome(value: object) -> PaymentOutcome | None:
    if not isinstance(value, dict):
        return None
    status, code, supplemental = value.get("status"), value.get("code"), value.get("supplemental")
    if supplemental is not None and not (
        isinstance(supplemental, dict) and all(isinstance(v, str) for v in supplemental.values())
    ):
        return None
    if status == "success" and code is None:
        return PaymentOutcome(status="success", supplemental=supplemental)
    if status == "failed" and code in FAILURE_CODES:
        return PaymentOutcome(status="failed", code=str(code), supplemental=supplemental)
    return None


def _optional_text(body: dict[str, Any], name: str, errors: list[str]) -> str | None:
    return optional_string(body, name, errors, MAX_LENGTH.get(name, 255), too_long=TOO_LONG)


def _check_amount(body: dict[str, Any], errors: list[str]) -> int:
    amount = body.get("amount")
    if amount is None:
        errors.append("Field [amount] cannot be null")
        return 0
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= 10_000_000:
        errors.append("Field [amount] must be a whole number of pence between 0 and 10000000")
        return 0
    return amount


def _check_date(body: dict[str, Any], name: str, errors: list[str]) -> datetime | None:
    value = body.get(name)
    if value is None:
        return None
    parsed = parse_zoned_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        errors.append(f"Field [{name}] must be a valid ISO-8601 time and date format")
    return parsed


def _check_card(body: dict[str, Any], errors: list[str]) -> dict[str, str | None]:
    card = {name: _optional_text(body, name, errors) for name in ("card_type", "card_expiry")}
    card["last_four_digits"] = _optional_text(body, "last_four_digits", errors)
    card["first_six_digits"] = _optional_text(body, "first_six_digits", errors)
    if card["card_type"] is not None and card["card_type"] not in CARD_BRANDS:
        errors.append(
            "Field [card_type] must be either master-card, visa, maestro, diners-club, american-express or jcb"
        )
    if card["card_expiry"] is not None and not CARD_EXPIRY.fullmatch(card["card_expiry"]):
        errors.append("Field [card_expiry] must have valid MM/YY")
    if card["last_four_digits"] is not None and not re.fullmatch(r"[0-9]{4}", card["last_four_digits"]):
        errors.append("Field [last_four_digits] must be exactly 4 digits")
    if card["first_six_digits"] is not None and not re.fullmatch(r"[0-9]{6}", card["first_six_digits"]):
        errors.append("Field [first_six_digits] must be exactly 6 digits")
    return card


def parse_telephone_request(body: dict[str, Any]) -> TelephoneChargeRequest:
    errors: list[str] = []
    amount = _check_amount(body, errors)
    text: dict[str, str] = {}
    for name in REQUIRED_TEXT:
        value = _optional_text(body, name, errors)
        if value is None and body.get(name) is None:
            errors.append(f"Field [{name}] cannot be null")
        text[name] = value or ""
    outcome = _outcome(body.get("payment_outcome"))
    if outcome is None:
        errors.append("Field [payment_outcome] must include a valid status and error code")
    created = _check_date(body, "created_date", errors)
    authorised = _check_date(body, "authorised_date", errors)
    card = _check_card(body, errors)
    optional = {name: _optional_text(body, name, errors) for name in ("auth_code", "telephone_number")}
    person = {name: _optional_text(body, name, errors) for name in ("name_on_card", "email_address")}
    if errors or outcome is None:
        raise TelephoneRequestInvalid(errors)
    return TelephoneChargeRequest(
        amount=amount,
        reference=text["reference"],
        description=text["description"],
        processor_id=text["processor_id"],
        provider_id=text["provider_id"],
        payment_outcome=outcome,
        created_date=created,
        authorised_date=authorised,
        auth_code=optional["auth_code"],
        card_type=card["card_type"],
        name_on_card=person["name_on_card"],
        email_address=person["email_address"],
        card_expiry=card["card_expiry"],
        last_four_digits=card["last_four_digits"],
        first_six_digits=card["first_six_digits"],
        telephone_number=optional["telephone_number"],
        raw=body,
    )
