"""``POST /v1/auth`` body (publicapi.md §d.5): every failure is 422, the first one wins.

Type errors come first (the original binds the body with plain Jackson: a non-string is
``Must be of type String``), then the bean rules in the fields' order. No message quotes a
value: the body holds a card number and CVC.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from pay_common.json_input import first_field_with_bad_text
from publicapi.errors import PublicApiError, invalid_attribute, missing_attribute

#: The body's fields, in the order their rules are checked; only these go on to connector.
FIELDS = ("one_time_token", "card_number", "cvc", "expiry_date", "cardholder_name")
NOT_BLANK = frozenset({"one_time_token", "cardholder_name"})
EXPIRY_FORMAT = "Must be a valid date with the format MM/YY"
#: field -> (length test, message after "Invalid attribute value: <field>. ").
LENGTH_RULES: dict[str, tuple[Callable[[int], bool], str]] = {
    "card_number": (lambda n: 12 <= n <= 19, "Must be between 12 and 19 characters long"),
    "cvc": (lambda n: 3 <= n <= 4, "Must be between 3 and 4 characters long"),
    "expiry_date": (lambda n: n == 5, EXPIRY_FORMAT),
    "cardholder_name": (lambda n: n <= 255, "Must be less than or equal to 255 characters long"),
}


class AuthorisationRequest(BaseModel):
    """Documents the body (the contract's ``AuthorisationRequest``); the parser does the checking."""

    card_number: str = Field(min_length=12, max_length=19)
    cardholder_name: str = Field(min_length=0, max_length=255)
    cvc: str = Field(min_length=3, max_length=4)
    expiry_date: str = Field(min_length=5, max_length=5)
    one_time_token: str = Field(min_length=1)


def _invalid(field: str, detail: str) -> PublicApiError:
    return invalid_attribute("P0102", field, detail, status_code=422)


def _check_types(body: dict[str, Any]) -> None:
    # In the body's own order, as a streaming binder meets them.
    for name, value in body.items():
        if name in FIELDS and value is not None and not isinstance(value, str):
            raise _invalid(name, "Must be of type String")
    bad_text = first_field_with_bad_text({name: body.get(name) for name in FIELDS})
    if bad_text is not None:
        raise _invalid(bad_text, "Must be a valid string format")


def _check_rule(name: str, value: str | None) -> None:
    if name == "expiry_date" and value is None:
        # The contract's only failure for this field is the format message.
        raise _invalid(name, EXPIRY_FORMAT)
    if value is None or (name in NOT_BLANK and not value.strip()):
        raise missing_attribute("P0101", name, status_code=422)
    rule = LENGTH_RULES.get(name)
    if rule is not None and not rule[0](len(value)):
        raise _invalid(name, rule[1])


def parse_authorisation_request(body: dict[str, Any]) -> dict[str, str]:
    """The connector ``charges/authorise`` body; raises the first failure (422)."""
    _check_types(body)
    for name in FIELDS:
        _check_rule(name, body.get(name))
    return {name: body[name] for name in FIELDS}
