"""``POST /v1/payments``: the body checked exactly as publicapi.md §d.2, then the connector body.

Two passes, as the original: first the parser (wrong type or missing → 400, a few enum
checks → 422), field by field in the documented order; then the bean checks on the parsed
request (lengths, ranges, metadata → 422). The first failure wins.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field

from pay_common.json_input import first_field_with_bad_text
from publicapi.errors import PublicApiError, invalid_attribute, missing_attribute
from publicapi.validation import is_blank, is_json_int

CODE_MISSING = "P0101"
CODE_INVALID = "P0102"
CODE_UNEXPECTED = "P0104"

MAX_AMOUNT = 10_000_000
ILLEGAL_STRING_CHARS = re.compile(r"[<>|]")
AUTHORISATION_MODES = ("web", "moto_api", "agreement")
AGREEMENT_PAYMENT_TYPES = ("instalment", "recurring", "unscheduled")
LANGUAGES = ("en", "cy")
ALLOWED_SOURCES = ("CARD_PAYMENT_LINK", "CARD_AGENT_INITIATED_MOTO")
DISALLOWED_KNOWN_SOURCES = ("CARD_API", "CARD_EXTERNAL_TELEPHONE")
DEFAULT_SOURCE = "CARD_API"
IDEMPOTENCY_KEY = re.compile(r"^[a-zA-Z0-9-]+$")

MUST_BE_BOOLEAN = "Must be true or false"
MUST_BE_STRING = "Must be a valid string format"
FIELD_MUST_BE_STRING = "Field must be a string"
MODE_MESSAGE = "Must be one of web, moto_api, agreement"
PAYMENT_TYPE_MESSAGE = "Must be one of instalment, recurring, unscheduled"
LANGUAGE_MESSAGE = 'Must be "en" or "cy"'
SOURCE_MESSAGE = "Accepted values are only CARD_PAYMENT_LINK, CARD_AGENT_INITIATED_MOTO"

MAX_METADATA_PAIRS = 15
MAX_METADATA_KEY = 30
MAX_METADATA_VALUE = 100

#: (field, maximum length) of the prefilled cardholder details, in check order.
ADDRESS_LIMITS = (("line1", 255), ("line2", 255), ("postcode", 25), ("city", 255))
ADDRESS_KEYS = ("line1", "line2", "postcode", "city", "country")


def _bad_request(field: str, detail: str) -> PublicApiError:
    return invalid_attribute(CODE_INVALID, field, detail, status_code=400)


def _unprocessable(field: str, detail: str) -> PublicApiError:
    return invalid_attribute(CODE_INVALID, field, detail, status_code=422)


def _too_long(field: str, limit: int) -> PublicApiError:
    return _unprocessable(field, f"Must be less than or equal to {limit} characters length")


def validate_idempotency_key(value: str | None) -> None:
    if value is None:
        return
    if not 1 <= len(value) <= 255:
        description = "Header [Idempotency-Key] can have a size between 1 and 255"
    elif not IDEMPOTENCY_KEY.match(value):
        description = "Header [Idempotency-Key] can only contain alphanumeric characters and hyphens"
    else:
        return
    raise PublicApiError(CODE_INVALID, description, status_code=422, header="Idempotency-Key")


# --- first pass: the parser (publicapi.md §d.1 layer 1) -------------------------------------


def _parse_amount(body: dict[str, Any]) -> int:
    value = body.get("amount")
    if value is None:
        raise missing_attribute(CODE_MISSING, "amount")
    if not is_json_int(value):
        raise _bad_request("amount", "Must be a valid numeric format")
    return int(value)


def _parse_required_text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if is_blank(value):
        raise missing_attribute(CODE_MISSING, field)
    if not isinstance(value, str) or ILLEGAL_STRING_CHARS.search(value):
        raise _bad_request(field, MUST_BE_STRING)
    return value


def _parse_optional_string(body: dict[str, Any], field: str, detail: str) -> str | None:
    value = body.get(field)
    if value is not None and not isinstance(value, str):
        raise _bad_request(field, detail)
    return value


def _parse_boolean(body: dict[str, Any], field: str) -> bool | None:
    if field not in body:
        return None
    value = body[field]
    if not isinstance(value, bool):
        raise _bad_request(field, MUST_BE_BOOLEAN)
    return value


def _parse_enum(body: dict[str, Any], field: str, allowed: tuple[str, ...], detail: str) -> str | None:
    """Blank or non-string → 400; a string outside ``allowed`` → 422."""
    if field not in body:
        return None
    value = body[field]
    if not isinstance(value, str) or not value.strip():
        raise _bad_request(field, detail)
    if value not in allowed:
        raise _unprocessable(field, detail)
    return value


def _parse_agreement_id(body: dict[str, Any], mode: str | None) -> str | None:
    if "agreement_id" not in body:
        return None
    if mode != "agreement":
        raise PublicApiError(CODE_UNEXPECTED, "Unexpected attribute: agreement_id", status_code=400)
    value = body["agreement_id"]
    if is_blank(value):
        raise missing_attribute(CODE_MISSING, "agreement_id")
    if not isinstance(value, str):
        raise _bad_request("agreement_id", MUST_BE_STRING)
    return value


def _parse_agreement_payment_type(body: dict[str, Any], mode: str | None) -> str | None:
    field = "agreement_payment_type"
    if field not in body:
        return None
    value = body[field]
    if not isinstance(value, str) or not value.strip():
        raise _bad_request(field, PAYMENT_TYPE_MESSAGE)
    if "set_up_agreement" not in body and mode != "agreement":
        raise PublicApiError(CODE_UNEXPECTED, f"Unexpected attribute: {field}", status_code=400)
    if value not in AGREEMENT_PAYMENT_TYPES:
        raise _unprocessable(field, PAYMENT_TYPE_MESSAGE)
    return value


def _parse_prefilled(body: dict[str, Any]) -> dict[str, Any] | None:
    details = body.get("prefilled_cardholder_details")
    if not isinstance(details, dict):
        return None  # the original silently ignores a non-object here
    cardholder_name = details.get("cardholder_name")
    if cardholder_name is not None and not isinstance(cardholder_name, str):
        raise _bad_request("cardholder_name", FIELD_MUST_BE_STRING)
    parsed: dict[str, Any] = {"cardholder_name": cardholder_name}
    address = details.get("billing_address")
    if isinstance(address, dict):
        for key in ADDRESS_KEYS:
            value = address.get(key)
            if value is not None and not isinstance(value, str):
                raise _bad_request(key, FIELD_MUST_BE_STRING)
        # Connector receives all five keys, null when not supplied (publicapi.md §d.2).
        parsed["billing_address"] = {key: address.get(key) for key in ADDRESS_KEYS}
    return parsed


def _parse_metadata(body: dict[str, Any]) -> dict[str, Any] | None:
    if "metadata" not in body:
        return None
    value = body["metadata"]
    if value is None:
        raise _unprocessable("metadata", "Value must not be null")
    if not isinstance(value, dict):
        raise _unprocessable("metadata", "Must be an object of JSON key-value pairs")
    return value


def _parse_source(body: dict[str, Any]) -> str:
    internal = body.get("internal")
    if not isinstance(internal, dict) or "source" not in internal:
        return DEFAULT_SOURCE
    value = internal["source"]
    if not isinstance(value, str) or value in DISALLOWED_KNOWN_SOURCES:
        raise _bad_request("source", SOURCE_MESSAGE)
    if value not in ALLOWED_SOURCES:
        raise _unprocessable("source", SOURCE_MESSAGE)
    return value


# --- second pass: bean validation (publicapi.md §d.1 layer 2, always 422) --------------------


def metadata_problems(metadata: dict[str, Any]) -> list[str]:
    """Every failing metadata rule, in the order the shared library lists them."""
    problems = []
    if len(metadata) > MAX_METADATA_PAIRS:
        problems.append(f"Cannot have more than {MAX_METADATA_PAIRS} key-value pairs")
    if any(not 1 <= len(key) <= MAX_METADATA_KEY for key in metadata):
        problems.append(f"Keys must be between 1 and {MAX_METADATA_KEY} characters long")
    values = [value for value in metadata.values() if value is not None]
    if any(not isinstance(value, str | int | float | bool) for value in values):
        problems.append("Values must be of type String, Boolean or Number")
    if any(
        isinstance(value, str | int | float) and len(_metadata_text(value)) > MAX_METADATA_VALUE
        for value in values
    ):
        problems.append(f"Values must be no greater than {MAX_METADATA_VALUE} characters long")
    if len(values) != len(metadata):
        problems.append("Must not have null values")
    if len({key.lower() for key in metadata}) != len(metadata):
        problems.append("Must have case insensitive unique keys")
    return problems


def _metadata_text(value: str | float) -> str:
    return value if isinstance(value, str) else str(value)


def _check_length(value: str | None, field: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise _too_long(field, limit)


def _check_beans(request: dict[str, Any], set_up_agreement: str | None) -> None:
    amount = request["amount"]
    if amount < 0:
        raise _unprocessable("amount", "Must be greater than or equal to 1")
    if amount > MAX_AMOUNT:
        raise _unprocessable("amount", f"Must be less than or equal to {MAX_AMOUNT}")
    _check_length(request["reference"], "reference", 255)
    _check_length(request["description"], "description", 255)
    _check_length(request.get("return_url"), "return_url", 2000)
    if set_up_agreement is not None and len(set_up_agreement) != 26:
        raise _unprocessable("set_up_agreement", "Field [set_up_agreement] length must be 26")
    if not request.get("save_payment_instrument_to_agreement"):
        agreement_id = request.get("agreement_id")
        if agreement_id is not None and len(agreement_id) != 26:
            raise _unprocessable("agreement_id", "Field [agreement_id] length must be 26")
    _check_length(request.get("email"), "email", 254)
    prefilled = request.get("prefilled_cardholder_details")
    if prefilled is not None:
        _check_length(prefilled.get("cardholder_name"), "cardholder_name", 255)
        address = prefilled.get("billing_address") or {}
        for key, limit in ADDRESS_LIMITS:
            _check_length(address.get(key), key, limit)
    metadata = request.get("metadata")
    if metadata is not None:
        problems = metadata_problems(metadata)
        if problems:
            raise _unprocessable("metadata", ". ".join(problems))


def parse_create_payment(body: dict[str, Any]) -> dict[str, Any]:
    """The connector ``POST .../charges`` body for a valid request; raises the first failure."""
    amount = _parse_amount(body)
    nul_field = first_field_with_bad_text(body)
    if nul_field is not None:
        # Not in the original: NUL or a lone surrogate can never be stored, so it is refused like an
        # illegal character.
        raise _bad_request(nul_field, MUST_BE_STRING)
    reference = _parse_required_text(body, "reference")
    description = _parse_required_text(body, "description")
    return_url = _parse_optional_string(body, "return_url", "Must be a valid URL format")
    moto = _parse_boolean(body, "moto")
    raw_set_up = body.get("set_up_agreement")
    set_up_agreement = raw_set_up if isinstance(raw_set_up, str) else None
    mode = _parse_enum(body, "authorisation_mode", AUTHORISATION_MODES, MODE_MESSAGE)
    agreement_id = _parse_agreement_id(body, mode)
    payment_type = _parse_agreement_payment_type(body, mode)
    language = _parse_enum(body, "language", LANGUAGES, LANGUAGE_MESSAGE)
    delayed_capture = _parse_boolean(body, "delayed_capture")
    email = _parse_optional_string(body, "email", FIELD_MUST_BE_STRING)
    prefilled = _parse_prefilled(body)
    metadata = _parse_metadata(body)
    source = _parse_source(body)

    request: dict[str, Any] = {"amount": amount, "reference": reference, "description": description}
    optional = {
        "return_url": return_url,
        "language": language,
        "delayed_capture": delayed_capture,
        "moto": moto,
        "metadata": metadata,
        "email": email,
        "prefilled_cardholder_details": prefilled,
        "source": source,
        "authorisation_mode": mode,
        "agreement_payment_type": payment_type,
        "agreement_id": agreement_id,
    }
    request.update({key: value for key, value in optional.items() if value is not None})
    if set_up_agreement is not None:
        request["agreement_id"] = set_up_agreement
        request["save_payment_instrument_to_agreement"] = True
    _check_beans(request, set_up_agreement)
    return request


# --- documentation only: the contract's request schema, for our OpenAPI document -------------


class Address(BaseModel):
    line1: str | None = None
    line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None


class PrefilledCardholderDetails(BaseModel):
    cardholder_name: str | None = None
    billing_address: Address | None = None


class CreateCardPaymentRequest(BaseModel):
    """Documents the body; the parser above does the checking (the contract marks
    ``return_url`` required although moto_api and agreement payments omit it)."""

    amount: int = Field(ge=0, le=MAX_AMOUNT)
    reference: str = Field(max_length=255)
    description: str = Field(max_length=255)
    return_url: str = Field(max_length=2000)
    language: Literal["en", "cy"] | None = None
    email: str | None = Field(default=None, max_length=254)
    delayed_capture: bool | None = None
    moto: bool | None = None
    metadata: dict[str, str | int | float | bool] | None = None
    prefilled_cardholder_details: PrefilledCardholderDetails | None = None
    set_up_agreement: str | None = Field(default=None, min_length=26, max_length=26)
    agreement_id: str | None = Field(default=None, min_length=26, max_length=26)
    agreement_payment_type: Literal["instalment", "recurring", "unscheduled"] | None = None
    authorisation_mode: Literal["web", "moto_api", "agreement"] | None = None
