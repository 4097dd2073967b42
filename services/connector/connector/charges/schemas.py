"""The charge-creation request (connector.md §4.1) and its first two validation phases.

Phase 1 (400 ``GENERIC``): the body must be a JSON object whose fields have the right JSON
types and known enum values — the original fails these in JSON deserialisation.
Phase 2 (422 ``GENERIC``): bean-validation rules on the values, one message per violation.
Everything after that (return_url, account rules) lives in ``service.py``.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, StrictBool, StrictInt, StrictStr, ValidationError

from connector.charges.errors import ChargeRequestInvalid, RequestTypeError

MAX_AMOUNT = 10_000_000
AGREEMENT_ID_LENGTH = 26
IDEMPOTENCY_KEY_MAX = 255


class AuthorisationMode(StrEnum):
    WEB = "web"
    MOTO_API = "moto_api"
    AGREEMENT = "agreement"
    EXTERNAL = "external"


class Source(StrEnum):
    CARD_API = "CARD_API"
    CARD_PAYMENT_LINK = "CARD_PAYMENT_LINK"
    CARD_AGENT_INITIATED_MOTO = "CARD_AGENT_INITIATED_MOTO"
    CARD_EXTERNAL_TELEPHONE = "CARD_EXTERNAL_TELEPHONE"


#: Values a client may send; CARD_EXTERNAL_TELEPHONE and ``external`` are set internally only.
REQUEST_SOURCES = (Source.CARD_API, Source.CARD_PAYMENT_LINK, Source.CARD_AGENT_INITIATED_MOTO)
REQUEST_MODES = (AuthorisationMode.WEB, AuthorisationMode.MOTO_API, AuthorisationMode.AGREEMENT)
LANGUAGES = ("en", "cy")
AGREEMENT_PAYMENT_TYPES = ("instalment", "recurring", "unscheduled")


class PrefilledAddress(BaseModel):
    model_config = ConfigDict(extra="ignore")

    line1: StrictStr | None = None
    line2: StrictStr | None = None
    postcode: StrictStr | None = None
    city: StrictStr | None = None
    county: StrictStr | None = None
    country: StrictStr | None = None


class PrefilledCardholderDetails(BaseModel):
    model_config = ConfigDict(extra="ignore")

    cardholder_name: StrictStr | None = None
    billing_address: PrefilledAddress | None = None


class ChargeCreateRequest(BaseModel):
    """The JSON body of ``POST /v1/api/accounts/{accountId}/charges``; unknown members are ignored."""

    model_config = ConfigDict(extra="ignore")

    amount: StrictInt | None = None
    description: StrictStr | None = None
    reference: StrictStr | None = None
    return_url: StrictStr | None = None
    email: StrictStr | None = None
    delayed_capture: StrictBool | None = None
    language: StrictStr | None = None
    prefilled_cardholder_details: PrefilledCardholderDetails | None = None
    metadata: dict[str, Any] | None = None
    source: StrictStr | None = None
    moto: StrictBool | None = None
    agreement_id: StrictStr | None = None
    save_payment_instrument_to_agreement: StrictBool | None = None
    agreement_payment_type: StrictStr | None = None
    authorisation_mode: StrictStr | None = None
    credential_id: StrictStr | None = None

    # Normalised views used by the service (blank strings count as absent, defaults applied).

    @property
    def mode(self) -> AuthorisationMode:
        return AuthorisationMode(self.authorisation_mode or AuthorisationMode.WEB)

    @property
    def return_url_given(self) -> str | None:
        return self.return_url or None

    @property
    def email_given(self) -> str | None:
        return self.email if self.email and self.email.strip() else None

    @property
    def source_given(self) -> Source | None:
        return Source(self.source) if self.source and self.source.strip() else None

    @property
    def save_to_agreement(self) -> bool:
        return bool(self.save_payment_instrument_to_agreement)


_TYPE_WORDS = {
    "int_type": "must be an integer",
    "int_from_float": "must be an integer",
    "string_type": "must be a string",
    "bool_type": "must be a boolean",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def parse_charge_request(raw: bytes) -> ChargeCreateRequest:
    """Phase 1: parse and type-check the body, then check enum values; raise 400 on failure."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise RequestTypeError("Unable to parse JSON") from None
    if not isinstance(data, dict):
        raise RequestTypeError("Unable to parse JSON")
    try:
        request = ChargeCreateRequest.model_validate(data)
    except ValidationError as exc:
        raise RequestTypeError(_type_messages(exc)) from None
    _check_enums(request)
    return request


def _type_messages(exc: ValidationError) -> list[str]:
    messages = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"])
        messages.append(f"Field [{field}] {_TYPE_WORDS.get(error['type'], 'has the wrong type')}")
    return messages


def _one_of(field: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is None or value in allowed:
        return None
    return f"Field [{field}] must be one of {', '.join(allowed)}"


def _check_enums(request: ChargeCreateRequest) -> None:
    source = request.source if request.source and request.source.strip() else None
    problems = [
        _one_of("source", source, tuple(REQUEST_SOURCES)),
        _one_of("language", request.language, LANGUAGES),
        _one_of("authorisation_mode", request.authorisation_mode, tuple(REQUEST_MODES)),
        _one_of("agreement_payment_type", request.agreement_payment_type, AGREEMENT_PAYMENT_TYPES),
    ]
    messages = [problem for problem in problems if problem]
    if messages:
        raise RequestTypeError(messages)


def _size(field: str, value: str | None, maximum: int) -> str | None:
    if value is not None and len(value) > maximum:
        return f"Field [{field}] can have a size between 0 and {maximum}"
    return None


def _blank(field: str, value: str | None) -> str | None:
    if value is not None and not value.strip():
        return f"Field [{field}] must not be blank"
    return None


def bean_violations(request: ChargeCreateRequest, idempotency_key: str | None) -> list[str]:
    """Phase 2: every field-rule violation, in field order (empty list when the body is valid)."""
    found: list[str | None] = []
    if request.amount is None:
        found.append("Field [amount] cannot be null")
    elif not 0 <= request.amount <= MAX_AMOUNT:
        found.append("Field [amount] can be between 0 and 10_000_000")
    found.append("Field [description] cannot be null" if request.description is None else None)
    found.append(_size("description", request.description, 255))
    found.append("Field [reference] cannot be null" if request.reference is None else None)
    # Not in the original (0..255): a blank reference identifies no payment (docs/decisions.md).
    found.append(_blank("reference", request.reference))
    found.append(_size("reference", request.reference, 255))
    found.append(_size("email", request.email, 254))
    if request.agreement_id is not None and len(request.agreement_id) != AGREEMENT_ID_LENGTH:
        found.append("Field [agreementId] length must be 26")
    found.extend(_prefilled_violations(request.prefilled_cardholder_details))
    found.extend(metadata_violations(request.metadata))
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= IDEMPOTENCY_KEY_MAX:
        found.append("Header [Idempotency-Key] can have a size between 1 and 255")
    return [message for message in found if message]


def _prefilled_violations(details: PrefilledCardholderDetails | None) -> list[str | None]:
    if details is None:
        return []
    prefix = "prefilled_cardholder_details"
    found = [_size(f"{prefix}.cardholder_name", details.cardholder_name, 255)]
    address = details.billing_address
    if address is not None:
        for name in ("line1", "line2", "city", "county"):
            found.append(_size(f"{prefix}.billing_address.{name}", getattr(address, name), 255))
        found.append(_size(f"{prefix}.billing_address.postcode", address.postcode, 25))
    return found


def metadata_violations(metadata: dict[str, Any] | None) -> list[str]:
    """The ExternalMetadata rules (connector.md §4.2), each message at most once."""
    if metadata is None:
        return []
    found: list[str] = []

    def add(message: str) -> None:
        if message not in found:
            found.append(message)

    if len(metadata) > 10:
        add("Field [metadata] cannot have more than 10 key-value pairs")
    lowered = [key.lower() for key in metadata]
    if len(set(lowered)) != len(lowered):
        add("Field [metadata] must have case insensitive unique keys")
    for key, value in metadata.items():
        if not 1 <= len(key) <= 30:
            add("Field [metadata] keys must be between 1 and 30 characters long")
        if value is None:
            add("Field [metadata] must not have null values")
        elif not isinstance(value, str | bool | int | float):
            add("Field [metadata] values must be of type String, Boolean or Number")
        elif isinstance(value, str) and len(value) > 100:
            add("Field [metadata] values must be no greater than 100 characters long")
    return found


def validate_charge_request(raw: bytes, idempotency_key: str | None) -> ChargeCreateRequest:
    """Phases 1 and 2; raise :class:`RequestTypeError` (400) or :class:`ChargeRequestInvalid` (422)."""
    request = parse_charge_request(raw)
    violations = bean_violations(request, idempotency_key)
    if violations:
        raise ChargeRequestInvalid(violations)
    return request


# Apache commons UrlValidator with ALLOW_LOCAL_URLS | ALLOW_2_SLASHES, as the original configures it.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOSTNAME = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}$", re.IGNORECASE)
_TLD = re.compile(r"^[a-z]{2,63}$|^xn--[a-z0-9-]{1,59}$", re.IGNORECASE)
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$")


def is_valid_return_url(url: str) -> bool:
    """True for an absolute http(s) URL with a plausible host (local single-label hosts allowed)."""
    if any(ch.isspace() for ch in url):
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    host = parts.hostname or ""
    if port is not None and not 0 < port <= 65535:
        return False
    if _IPV4.match(host) or ":" in host:  # IPv4, or an IPv6 literal that urlsplit already parsed
        return True
    if not _HOSTNAME.match(host):
        return False
    labels = host.split(".")
    return len(labels) == 1 or bool(_TLD.match(labels[-1]))
