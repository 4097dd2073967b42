"""The ``POST /v1/api/charges/authorise`` body, checked in the original's order (connector.md §11.4).

1. A field that is not a JSON string: 400 ``GENERIC`` (a body that does not bind).
2. The bean rules (present, lengths): 422 ``GENERIC``, every violation listed.
3. The explicit rules (digits only, ``MM/YY``, not expired): 422 ``INVALID_ATTRIBUTE_VALUE``,
   the first one.

No message quotes a value: the body holds a card number and CVC.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.errors import BadRequest, Unprocessable
from connector.motoapi.errors import InvalidAttributeValue
from pay_common.json_input import is_ascii_digits

FIELDS = ("one_time_token", "card_number", "cvc", "expiry_date", "cardholder_name")
_EXPIRY = re.compile(r"(0[1-9]|1[0-2])/([0-9]{2})")
#: A card is good until 12 hours after its expiry month ends (UTC), as the original counts it.
EXPIRY_GRACE = timedelta(hours=12)


@dataclass(frozen=True)
class MotoAuthoriseRequest:
    """Card details and the one-time token; ``repr`` shows neither card number, CVC nor token."""

    one_time_token: str = field(repr=False)
    card_number: str = field(repr=False)
    cvc: str = field(repr=False)
    expiry_date: str
    cardholder_name: str


#: Blank counts as missing for these (``@NotBlank``); the others only need to be present.
NOT_BLANK = frozenset({"one_time_token", "cardholder_name"})
#: field -> the bean rule on its length, as (test, message after "Invalid attribute value: <field>. ").
LENGTH_RULES: dict[str, tuple[Callable[[int], bool], str]] = {
    "card_number": (lambda n: 12 <= n <= 19, "Must be between 12 and 19 characters long"),
    "cvc": (lambda n: 3 <= n <= 4, "Must be between 3 and 4 characters long"),
    "cardholder_name": (lambda n: n <= 255, "Must be less than or equal to 255 characters length"),
}


def _bean_violation(name: str, value: str | None) -> str | None:
    if value is None or (name in NOT_BLANK and not value.strip()):
        return f"Missing mandatory attribute: {name}"
    rule = LENGTH_RULES.get(name)
    if rule is not None and not rule[0](len(value)):
        return f"Invalid attribute value: {name}. {rule[1]}"
    return None


def _bean_violations(body: dict[str, Any]) -> list[str]:
    found = (_bean_violation(name, body.get(name)) for name in FIELDS)
    return [violation for violation in found if violation is not None]


def expiry_is_current(expiry_date: str, now: datetime) -> bool:
    """Whether an ``MM/YY`` card has not expired at ``now``."""
    match = _EXPIRY.fullmatch(expiry_date)
    assert match is not None
    month, year = int(match.group(1)), 2000 + int(match.group(2))
    last_day = calendar.monthrange(year, month)[1]
    month_end = datetime(year, month, last_day, tzinfo=UTC) + timedelta(days=1)
    return now < month_end + EXPIRY_GRACE


def _check_values(request: MotoAuthoriseRequest, now: datetime) -> None:
    if not is_ascii_digits(request.card_number):
        raise InvalidAttributeValue("card_number", "Must be a valid card number")
    if not is_ascii_digits(request.cvc):
        raise InvalidAttributeValue("cvc", "Must contain numbers only")
    if not _EXPIRY.fullmatch(request.expiry_date):
        raise InvalidAttributeValue("expiry_date", "Must be a valid date with the format MM/YY")
    if not expiry_is_current(request.expiry_date, now):
        raise InvalidAttributeValue("expiry_date", "Must be a valid date in the future")


def parse_authorise_request(body: dict[str, Any], *, now: datetime | None = None) -> MotoAuthoriseRequest:
    """The request, or the first failure of steps 1-3 (nothing is written before this passes)."""
    for name in FIELDS:
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise BadRequest(f"Invalid attribute value: {name}. Must be of type String")
    violations = _bean_violations(body)
    if violations:
        raise Unprocessable(violations)
    request = MotoAuthoriseRequest(**{name: body[name] for name in FIELDS})
    _check_values(request, now or datetime.now(UTC))
    return request
