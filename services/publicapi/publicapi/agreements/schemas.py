"""``POST /v1/agreements`` body (publicapi.md §d.4) and the agreement view (§f.6)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field

from pay_common.json_input import first_field_with_bad_text
from publicapi.connector_client.schemas import JsonObject
from publicapi.errors import PublicApiError, invalid_attribute, missing_attribute
from publicapi.payments.presenter import ADDRESS_KEYS, CARD_DETAIL_KEYS
from publicapi.validation import is_blank

MAX_LENGTH = 255
ILLEGAL = re.compile(r"[<>|]")
AGREEMENT_STATUSES = ("created", "active", "inactive", "cancelled")
#: The members of a create request that are sent on to connector.
FIELDS = ("reference", "description", "user_identifier")


class CreateAgreementRequest(BaseModel):
    """Documents the body for our OpenAPI; :func:`parse_agreement_request` does the checking."""

    # Required in practice (P2101), but the contract lists no required field.
    reference: str | None = Field(default=None, min_length=1, max_length=MAX_LENGTH)
    description: str | None = Field(default=None, min_length=1, max_length=MAX_LENGTH)
    user_identifier: str | None = Field(default=None, min_length=1, max_length=MAX_LENGTH)


def _too_long(field: str) -> PublicApiError:
    return invalid_attribute(
        "P0102", field, f"Must be less than or equal to {MAX_LENGTH} characters length", status_code=422
    )


def _required_text(body: dict[str, Any], field: str) -> str:
    value = body.get(field)
    if is_blank(value):
        raise missing_attribute("P2101", field)
    if not isinstance(value, str) or ILLEGAL.search(value):
        raise invalid_attribute("P2102", field, "Must be a valid string format", status_code=400)
    if len(value) > MAX_LENGTH:
        raise _too_long(field)
    return value


def parse_agreement_request(body: dict[str, Any]) -> JsonObject:
    """The connector body: reference, description, and user_identifier when it is not null."""
    bad_text = first_field_with_bad_text({name: body.get(name) for name in FIELDS})
    if bad_text is not None:
        # NUL or a lone surrogate can never be stored: refused like an illegal character, here,
        # rather than by connector (whose refusal has no public code: it was a P2198 500).
        raise invalid_attribute("P2102", bad_text, "Must be a valid string format", status_code=400)
    connector_body: JsonObject = {
        "reference": _required_text(body, "reference"),
        "description": _required_text(body, "description"),
    }
    user_identifier = body.get("user_identifier")
    if user_identifier is not None:
        if not isinstance(user_identifier, str):
            raise invalid_attribute("P2102", "user_identifier", "Field must be a string", status_code=400)
        if not 1 <= len(user_identifier) <= MAX_LENGTH:
            raise _too_long("user_identifier")
        connector_body["user_identifier"] = user_identifier
    return connector_body


def _card_details(details: Any) -> JsonObject:
    details = details if isinstance(details, dict) else {}
    view: JsonObject = {key: details.get(key) for key in CARD_DETAIL_KEYS if key != "wallet_type"}
    address = details.get("billing_address")
    view["billing_address"] = (
        {key: address[key] for key in ADDRESS_KEYS if address.get(key) is not None}
        if isinstance(address, dict)
        else None
    )
    return view


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def present_agreement(agreement: JsonObject) -> JsonObject:
    """§f.6: status and instrument type lower case; optional keys only when set."""
    view: JsonObject = {
        "agreement_id": agreement.get("agreement_id"),
        "reference": agreement.get("reference"),
        "description": agreement.get("description"),
        "status": _lower(agreement.get("status")),
        "created_date": agreement.get("created_date"),
    }
    instrument = agreement.get("payment_instrument")
    if isinstance(instrument, dict):
        view["payment_instrument"] = {
            "card_details": _card_details(instrument.get("card_details")),
            "created_date": instrument.get("created_date"),
            "type": _lower(instrument.get("type")),
        }
    for key in ("user_identifier", "cancelled_date"):
        if agreement.get(key) is not None:
            view[key] = agreement[key]
    return view
