"""``POST /v1/payment_notification`` body (publicapi.md §d.6): every failure is 422.

Type errors are found first (the original's JSON binding), then the field rules in order.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pay_common.json_input import first_field_with_bad_text
from publicapi.errors import invalid_attribute, missing_attribute
from publicapi.validation import is_json_int

MAX_AMOUNT = 10_000_000
STRING_FIELDS = (
    "reference",
    "description",
    "created_date",
    "authorised_date",
    "processor_id",
    "provider_id",
    "auth_code",
    "card_type",
    "name_on_card",
    "email_address",
    "card_expiry",
    "last_four_digits",
    "first_six_digits",
    "telephone_number",
)
#: Fields sent on to connector, in the contract's order: the string fields, with ``amount`` first
#: and ``payment_outcome`` (an object) after ``auth_code``.
_OUTCOME_AT = STRING_FIELDS.index("auth_code") + 1
FORWARDED = ("amount", *STRING_FIELDS[:_OUTCOME_AT], "payment_outcome", *STRING_FIELDS[_OUTCOME_AT:])
CARD_TYPES = ("master-card", "visa", "maestro", "diners-club", "american-express", "jcb")
FAILURE_CODES = ("P0010", "P0030", "P0050")
CARD_EXPIRY = re.compile(r"^(0[1-9]|1[0-2])/[0-9]{2}$")
FOUR_DIGITS = re.compile(r"^[0-9]{4}$")
SIX_DIGITS = re.compile(r"^[0-9]{6}$")


def _invalid(field: str, detail: str) -> Exception:
    return invalid_attribute("P0102", field, detail, status_code=422)


def _check_types(body: dict[str, Any]) -> None:
    amount = body.get("amount")
    if amount is not None and not is_json_int(amount):
        raise _invalid("amount", "Must be a valid numeric format")
    for field in STRING_FIELDS:
        value = body.get(field)
        if value is not None and not isinstance(value, str):
            raise _invalid(field, "Must be of type String")


def _valid_outcome(outcome: Any) -> bool:
    if not isinstance(outcome, dict):
        return False
    status, code = outcome.get("status"), outcome.get("code")
    if status == "success":
        return code is None
    return status == "failed" and code in FAILURE_CODES


def _is_zoned_datetime(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None and "T" in value
    except ValueError:
        return False


def _check_rules(body: dict[str, Any]) -> None:
    amount = body.get("amount") or 0
    if amount < 0:
        raise _invalid("amount", "Must be greater than or equal to 1")
    if amount > MAX_AMOUNT:
        raise _invalid("amount", f"Must be less than or equal to {MAX_AMOUNT}")
    for field in ("reference", "description"):
        value = body.get(field)
        if value is None:
            raise missing_attribute("P0101", field, status_code=422)
        if len(value) > 255:
            raise _invalid(field, "Must be less than or equal to 255 characters length")
    for field in ("processor_id", "provider_id", "payment_outcome"):
        if body.get(field) is None:
            raise missing_attribute("P0101", field, status_code=422)
    if not _valid_outcome(body["payment_outcome"]):
        raise _invalid(
            "payment_outcome", "Field [payment_outcome] must include a valid status and error code"
        )
    for field in ("created_date", "authorised_date"):
        value = body.get(field)
        if value is not None and not _is_zoned_datetime(value):
            raise _invalid(field, f"Field [{field}] must be a valid ISO-8601 time and date format")
    _check_card_fields(body)


def _check_card_fields(body: dict[str, Any]) -> None:
    card_type = body.get("card_type")
    if card_type is not None and card_type not in CARD_TYPES:
        raise _invalid(
            "card_type",
            "Field [card_type] must be either master-card, visa, maestro, diners-club, american-express or jcb",
        )
    expiry = body.get("card_expiry")
    if expiry is not None and not CARD_EXPIRY.match(expiry):
        raise _invalid("card_expiry", "Field [card_expiry] must have valid MM/YY")
    last_four = body.get("last_four_digits")
    if last_four is not None and not FOUR_DIGITS.match(last_four):
        raise _invalid("last_four_digits", "Field [last_four_digits] must be exactly 4 digits")
    first_six = body.get("first_six_digits")
    if first_six is not None and not SIX_DIGITS.match(first_six):
        raise _invalid("first_six_digits", "Field [first_six_digits] must be exactly 6 digits")


def parse_telephone_payment(body: dict[str, Any]) -> dict[str, Any]:
    """The connector ``telephone-charges`` body; raises the first failure (422)."""
    _check_types(body)
    nul_field = first_field_with_bad_text(body)
    if nul_field is not None:
        raise _invalid(nul_field, "Must be a valid string format")
    _check_rules(body)
    request = {field: body[field] for field in FORWARDED if body.get(field) is not None}
    request.setdefault("amount", 0)  # a primitive int in the original: absent means 0
    return request
