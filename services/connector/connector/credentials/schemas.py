"""Request validation of the credentials endpoints (connector.md §14.3)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from connector.accounts.schemas import replace_operations
from connector.errors import BadRequest
from connector.gateways.credentials import (
    CredentialsInvalid,
    credential_fields,
    has_typed_credentials,
    parse_credentials,
)

CREATABLE_PROVIDERS = ("adyen", "worldpay", "stripe")
WORLDPAY_ROLES = (
    "one_off_customer_initiated",
    "recurring_customer_initiated",
    "recurring_merchant_initiated",
)
WORLDPAY_ROLE_FIELDS = ("merchant_code", "username", "password")
GATEWAY_MERCHANT_ID = "credentials/gateway_merchant_id"
PATCH_PATHS = (
    "credentials",
    *(f"credentials/worldpay/{role}" for role in WORLDPAY_ROLES),
    "last_updated_by_user_external_id",
    "state",
    GATEWAY_MERCHANT_ID,
)


@dataclass(frozen=True)
class CredentialCreate:
    payment_provider: str
    credentials: dict[str, Any] | None


@dataclass(frozen=True)
class CredentialPatch:
    path: str
    value: Any


def parse_create(body: dict[str, Any]) -> CredentialCreate:
    provider = body.get("payment_provider")
    if not isinstance(provider, str) or not provider.strip():
        raise BadRequest("Field(s) missing: [payment_provider]")
    if provider not in CREATABLE_PROVIDERS:
        raise BadRequest(
            f"Field [payment_provider] must be one of [{', '.join(CREATABLE_PROVIDERS)}], got [{provider}]"
        )
    credentials = body.get("credentials")
    if credentials is None:
        return CredentialCreate(provider, None)
    if provider == "worldpay":
        raise BadRequest("Field [credentials] is not allowed when creating worldpay credentials")
    if not isinstance(credentials, dict) or not all(isinstance(v, str) for v in credentials.values()):
        raise BadRequest("Field [credentials] must be an object of strings")
    if provider == "stripe" and not credentials.get("stripe_account_id"):
        raise BadRequest("Field(s) missing: [stripe_account_id]")
    return CredentialCreate(provider, dict(credentials) or None)


def parse_patch(body: Any, provider: str) -> list[CredentialPatch]:
    """Validate the JSON-patch array; nothing is applied unless every operation is valid."""
    # Any string is a given op or path here (a blank one is then refused as not a valid path).
    return [
        _parse_value(path, value, provider)
        for path, value in replace_operations(body, PATCH_PATHS, given=lambda field: isinstance(field, str))
    ]


def _parse_value(path: str, value: Any, provider: str) -> CredentialPatch:
    if value is None:
        raise BadRequest("Field [value] is required")
    return CredentialPatch(path, _validate_value(path, value, provider))


def _validate_value(path: str, value: Any, provider: str) -> Any:
    if path == "credentials":
        if provider == "worldpay":
            raise BadRequest(
                "Path [credentials] is not supported for worldpay; use credentials/worldpay/<role>"
            )
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise BadRequest("Value for path [credentials] must be an object of strings")
        unknown = sorted(set(value) - credential_fields(provider)) if has_typed_credentials(provider) else []
        if unknown:
            raise BadRequest(f"Field(s) not recognised for {provider} credentials: [{', '.join(unknown)}]")
        return value
    if path.startswith("credentials/worldpay/"):
        if provider != "worldpay":
            raise BadRequest(f"Path [{path}] is only supported for worldpay credentials")
        if not isinstance(value, dict):
            raise BadRequest(f"Value for path [{path}] must be an object")
        missing = [
            key for key in WORLDPAY_ROLE_FIELDS if not isinstance(value.get(key), str) or not value[key]
        ]
        if missing:
            raise BadRequest(f"Field(s) missing: [{', '.join(missing)}]")
        return {key: value[key] for key in WORLDPAY_ROLE_FIELDS}
    if path == "state":
        if value != "VERIFIED_WITH_LIVE_PAYMENT":
            raise BadRequest(f"Value [{value}] is not valid for path [state]")
        return value
    if path == GATEWAY_MERCHANT_ID:
        if provider != "worldpay":
            raise BadRequest(f"Path [{path}] is only supported for worldpay credentials")
        if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{15}", value):
            raise BadRequest(
                f"Field [{path}] value [{value}] does not match that expected for a Worldpay Merchant ID; "
                "should be 15 characters and within range [0-9a-f]"
            )
        return value
    # last_updated_by_user_external_id
    if not isinstance(value, str) or len(value) > 32:
        raise BadRequest(
            "Value for path [last_updated_by_user_external_id] must be a string of up to 32 characters"
        )
    return value


def check_credentials_shape(provider: str, credentials: dict[str, Any]) -> None:
    """BadRequest unless the map, as it would be stored, fits the provider's typed credentials."""
    if not has_typed_credentials(provider):
        return  # adyen, epdq: no adapter, no model; their maps stay as given
    try:
        parse_credentials(provider, credentials)
    except CredentialsInvalid as exc:
        raise BadRequest([f"Invalid {provider} credentials: {error}" for error in exc.errors]) from None


@dataclass(frozen=True)
class WorldpayCredentialsCheck:
    merchant_id: str
    username: str
    password: str


def parse_worldpay_check(body: dict[str, Any]) -> WorldpayCredentialsCheck:
    """``{"merchant_id", "username", "password"}``, each a non-empty string."""
    missing = [
        f for f in ("merchant_id", "username", "password") if not isinstance(body.get(f), str) or not body[f]
    ]
    if missing:
        raise BadRequest([f"Field [{field}] is required" for field in missing])
    return WorldpayCredentialsCheck(body["merchant_id"], body["username"], body["password"])
