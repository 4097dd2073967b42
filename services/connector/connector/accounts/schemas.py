"""Request parsing and response shapes of the accounts feature (seeds 000/001, connector.md §14).

Bodies are parsed by hand rather than by pydantic models because the contract fixes the
exact wording of every message (``The following fields are missing: [..]``,
``Operation [op] not supported for path [..]``...), which pydantic cannot produce.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connector.accounts.errors import AccountRequestInvalid, PatchInvalid
from connector.fields import optional_string
from connector.models import CardType, EmailNotification, GatewayAccount, GatewayAccountCredential
from pay_common.json_input import is_ascii_digits

#: Providers an account may be created with (seed 000; Adyen is not offered yet).
PROVIDERS = ("sandbox", "worldpay", "smartpay", "epdq", "stripe")
ACCOUNT_TYPES = ("test", "live")
NOTIFICATION_TYPES = ("PAYMENT_CONFIRMED", "REFUND_ISSUED")
#: Credential keys that are secrets: never returned by any endpoint, never logged.
SECRET_KEYS = frozenset({"password", "sha_in_passphrase", "sha_out_passphrase", "jwt_mac_key"})
#: notify_settings keys that are secrets.
NOTIFY_SECRET_KEYS = frozenset({"api_token"})
CREATE_FLAGS = (
    "requires_3ds",
    "allow_apple_pay",
    "allow_google_pay",
    "send_payer_email_to_gateway",
    "send_payer_ip_address_to_gateway",
)
MAX_SERVICE_NAME = 50
MAX_SERVICE_ID = 32
#: The largest id PostgreSQL's bigint can hold; bigger ids cannot name an account.
MAX_BIGINT = 2**63 - 1


def parse_account_id(raw: str) -> int | None:
    """An ``accountId`` (path segment or body field) as the numeric ``gateway_accounts.id``.

    The one parser of account ids: None for anything that cannot name an account (not ASCII
    digits, zero, beyond bigint), which every caller answers with its own 404.
    """
    if not (raw.isascii() and raw.isdigit()):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_BIGINT else None


def as_bool(value: object) -> bool | None:
    """A JSON boolean, or the strings ``true``/``false`` (any case); None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _booleans(
    source: Mapping[str, Any], names: Mapping[str, str], kind: str, errors: list[str]
) -> dict[str, bool]:
    """The booleans (``as_bool``) that ``source`` gives for ``names`` (name sent → key returned).

    A name that is absent or null is left out; any other value is reported in ``errors`` as
    ``{kind} [name] must be true or false`` (``kind``: "Field" of a body, "Parameter" of a query).
    """
    parsed: dict[str, bool] = {}
    for name, key in names.items():
        if source.get(name) is None:
            continue
        value = as_bool(source[name])
        if value is None:
            errors.append(f"{kind} [{name}] must be true or false")
        else:
            parsed[key] = value
    return parsed


def redact(value: Any, secret_keys: frozenset[str] = SECRET_KEYS) -> Any:
    """A copy of ``value`` with every secret key removed, at any depth."""
    if isinstance(value, Mapping):
        return {k: redact(v, secret_keys) for k, v in value.items() if k not in secret_keys}
    if isinstance(value, list):
        return [redact(item, secret_keys) for item in value]
    return value


# ---------------------------------------------------------------------------- create


@dataclass
class AccountCreate:
    #: None: the account belongs to no service (seed 000 creates accounts without one).
    service_id: str | None
    payment_provider: str = "sandbox"
    type: str = "TEST"
    service_name: str | None = None
    description: str | None = None
    analytics_id: str | None = None
    flags: dict[str, bool] = field(default_factory=dict)
    credentials: dict[str, Any] | None = None


def parse_create(body: Mapping[str, Any]) -> AccountCreate:
    """Validate a ``POST /v1/api/accounts`` body; every problem is reported at once (422)."""
    errors: list[str] = []
    provider = body.get("payment_provider", "sandbox")
    if not isinstance(provider, str) or provider.lower() not in PROVIDERS:
        errors.append(f"Field [payment_provider] must be one of [{', '.join(PROVIDERS)}]")
        provider = "sandbox"
    account_type = body.get("type", "test")
    if not isinstance(account_type, str) or account_type.lower() not in ACCOUNT_TYPES:
        errors.append("Field [type] must be one of [test, live]")
        account_type = "test"
    service_id = body.get("service_id")
    if service_id is None:
        pass  # optional (seed 000): an account without a service follows no per-service rule
    elif not isinstance(service_id, str) or not service_id.strip():
        errors.append("Field [service_id] cannot be blank or missing")
    elif len(service_id) > MAX_SERVICE_ID:
        errors.append(f"Field [service_id] must be {MAX_SERVICE_ID} characters or fewer")
    strings = {
        "service_name": optional_string(body, "service_name", errors, MAX_SERVICE_NAME),
        "description": optional_string(body, "description", errors),
        "analytics_id": optional_string(body, "analytics_id", errors),
    }
    flags = _booleans(body, {name: name for name in CREATE_FLAGS}, "Field", errors)
    credentials = _parse_create_credentials(body.get("credentials"), provider.lower(), errors)
    if errors:
        raise AccountRequestInvalid(errors)
    assert service_id is None or isinstance(service_id, str)
    return AccountCreate(
        service_id=service_id,
        payment_provider=provider.lower(),
        type=account_type.upper(),
        service_name=strings["service_name"],
        description=strings["description"],
        analytics_id=strings["analytics_id"],
        flags=flags,
        credentials=credentials,
    )


def _parse_create_credentials(value: object, provider: str, errors: list[str]) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.append("Field [credentials] must be an object")
        return None
    if provider == "stripe":
        account_id = value.get("stripe_account_id")
        if not isinstance(account_id, str) or not account_id.strip():
            errors.append("Field [credentials.stripe_account_id] cannot be blank or missing")
            return None
        return {"stripe_account_id": account_id}
    return dict(value) or None


# ---------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class ProviderFilters:
    """Filters that depend on the account's current credential, applied after the query."""

    payment_provider: str | None = None
    payment_provider_account_id: str | None = None


BOOLEAN_FILTERS = {
    "moto_enabled": "allow_moto",
    "apple_pay_enabled": "allow_apple_pay",
    "google_pay_enabled": "allow_google_pay",
    "requires_3ds": "requires_3ds",
    "provider_switch_enabled": "provider_switch_enabled",
    "recurring_enabled": "recurring_enabled",
}


def parse_filters(params: Mapping[str, str]) -> tuple[dict[str, Any], ProviderFilters, list[str]]:
    """Query parameters of the account lists → (column filters, provider filters, errors)."""
    errors: list[str] = []
    columns: dict[str, Any] = {}
    raw_ids = params.get("accountIds")
    if raw_ids is not None:
        parts = [part.strip() for part in raw_ids.split(",")]
        if not all(is_ascii_digits(part) for part in parts):
            errors.append("Parameter [accountIds] must be a comma separated list of numbers")
        else:
            columns["account_ids"] = [int(part) for part in parts if int(part) < 2**63]
    raw_services = params.get("serviceIds")
    if raw_services is not None:
        services = [part.strip() for part in raw_services.split(",")]
        if not all(services):
            errors.append("Parameter [serviceIds] must be a comma separated list of service ids")
        else:
            columns["service_ids"] = services
    columns |= _booleans(params, BOOLEAN_FILTERS, "Parameter", errors)
    raw_type = params.get("type")
    if raw_type is not None:
        if raw_type.lower() not in ACCOUNT_TYPES:
            errors.append("Parameter [type] must be 'test' or 'live'")
        else:
            columns["type"] = raw_type.upper()
    provider = params.get("payment_provider")
    if provider is not None and provider.lower() not in PROVIDERS:
        errors.append(f"Parameter [payment_provider] must be one of [{', '.join(PROVIDERS)}]")
    provider_filters = ProviderFilters(
        payment_provider=provider.lower() if provider else None,
        payment_provider_account_id=params.get("payment_provider_account_id") or None,
    )
    return columns, provider_filters, errors


def provider_account_ids(credential: GatewayAccountCredential) -> set[str]:
    """The PSP-side account ids a credential carries (Stripe account, merchant codes)."""
    found: set[str] = set()
    for key in ("stripe_account_id", "merchant_id", "merchant_code"):
        value = credential.credentials.get(key)
        if isinstance(value, str):
            found.add(value)
    for nested in credential.credentials.values():
        if isinstance(nested, dict) and isinstance(nested.get("merchant_code"), str):
            found.add(nested["merchant_code"])
    return found


# ---------------------------------------------------------------------------- responses


def self_link(base_url: str, account_id: int) -> str:
    return f"{base_url.rstrip('/')}/v1/api/accounts/{account_id}"


def created_view(account: GatewayAccount, provider: str, base_url: str) -> dict[str, Any]:
    """Body of ``201 POST /v1/api/accounts`` (connector.md §14.1; id as a string, as in the seeds)."""
    return {
        "gateway_account_id": str(account.id),
        "external_id": account.external_id,
        "payment_provider": provider,
        "service_name": account.service_name,
        "service_id": account.service_id,
        "description": account.description,
        "analytics_id": account.analytics_id,
        "type": account.type.lower(),
        "requires_3ds": account.requires_3ds,
        "send_payer_email_to_gateway": account.send_payer_email_to_gateway,
        "send_payer_ip_address_to_gateway": account.send_payer_ip_address_to_gateway,
        "links": [{"href": self_link(base_url, account.id), "rel": "self", "method": "GET"}],
    }


def notification_view(row: EmailNotification) -> dict[str, Any]:
    return {"version": row.version, "enabled": row.enabled, "template_body": row.template_body}


def credential_view(credential: GatewayAccountCredential) -> dict[str, Any]:
    return {
        "gateway_account_credential_id": credential.id,
        "external_id": credential.external_id,
        "payment_provider": credential.payment_provider,
        "state": credential.state,
        "credentials": redact(credential.credentials),
        "active_start_date": _iso(credential.active_start_date),
        "active_end_date": _iso(credential.active_end_date),
        "last_updated_by_user_external_id": credential.last_updated_by_user_external_id,
        "created_date": _iso(credential.created_at),
        "gateway_account_id": credential.gateway_account_id,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def account_view(
    account: GatewayAccount,
    *,
    current: GatewayAccountCredential | None,
    credentials: list[GatewayAccountCredential],
    notifications: Mapping[str, EmailNotification],
    base_url: str,
    frontend: bool = False,
) -> dict[str, Any]:
    """One account as ``GET /v1/api/accounts/{id}`` (or the frontend view) shows it."""
    view: dict[str, Any] = {
        "gateway_account_id": account.id,
        "external_id": account.external_id,
        "payment_provider": current.payment_provider if current else None,
        "type": account.type.lower(),
        "description": account.description,
        "analytics_id": account.analytics_id,
    }
    if account.service_name:
        view["service_name"] = account.service_name
    view |= {
        "service_id": account.service_id,
        "corporate_credit_card_surcharge_amount": account.corporate_credit_card_surcharge_amount,
        "corporate_debit_card_surcharge_amount": account.corporate_debit_card_surcharge_amount,
        # The column was dropped upstream; the seeds still list the field, always 0.
        "corporate_prepaid_credit_card_surcharge_amount": 0,
        "corporate_prepaid_debit_card_surcharge_amount": account.corporate_prepaid_debit_card_surcharge_amount,
        "allow_apple_pay": account.allow_apple_pay,
        "allow_google_pay": account.allow_google_pay,
        "block_prepaid_cards": account.block_prepaid_cards,
        "allow_zero_amount": account.allow_zero_amount,
        "email_collection_mode": account.email_collection_mode,
        "requires3ds": account.requires_3ds,
        "integration_version_3ds": account.integration_version_3ds,
        "allow_moto": account.allow_moto,
        "moto_mask_card_number_input": account.moto_mask_card_number_input,
        "moto_mask_card_security_code_input": account.moto_mask_card_security_code_input,
        "allow_telephone_payment_notifications": account.allow_telephone_payment_notifications,
        "provider_switch_enabled": account.provider_switch_enabled,
        "send_payer_ip_address_to_gateway": account.send_payer_ip_address_to_gateway,
        "send_payer_email_to_gateway": account.send_payer_email_to_gateway,
        "send_reference_to_gateway": account.send_reference_to_gateway,
        "allow_authorisation_api": account.allow_authorisation_api,
        "recurring_enabled": account.recurring_enabled,
        "disabled": account.disabled,
        "disabled_reason": account.disabled_reason,
        "worldpay_3ds_flex": None,
        "email_notifications": {kind: notification_view(row) for kind, row in sorted(notifications.items())},
        "gateway_account_credentials": [credential_view(c) for c in credentials],
    }
    if frontend:
        view |= {
            "live": account.type == "LIVE",
            "credentials": redact(current.credentials) if current else {},
            "notifySettings": redact(account.notify_settings, NOTIFY_SECRET_KEYS),
            "notificationCredentials": None,
        }
    view["_links"] = {"self": {"href": self_link(base_url, account.id)}}
    return view


def card_type_view(card_type: CardType) -> dict[str, Any]:
    return {
        "id": str(card_type.id),
        "brand": card_type.brand,
        "label": card_type.label,
        "type": card_type.type,
        "requires3ds": card_type.requires_3ds,
    }


# ---------------------------------------------------------------------------- PATCH /v1/api/accounts/{id}

BOOLEAN_PATHS = frozenset(
    {
        "allow_apple_pay",
        "allow_google_pay",
        "block_prepaid_cards",
        "allow_zero_amount",
        "allow_moto",
        "moto_mask_card_number_input",
        "moto_mask_card_security_code_input",
        "allow_telephone_payment_notifications",
        "send_payer_ip_address_to_gateway",
        "send_payer_email_to_gateway",
        "send_reference_to_gateway",
        "allow_authorisation_api",
        "recurring_enabled",
        "disabled",
    }
)
WORLDPAY_PATHS = frozenset({"worldpay_corporate_exemptions_enabled", "worldpay_exemption_engine_enabled"})
#: Paths that set several columns. ``allow_web_payments`` is seed 001's name for the wallets
#: switch, from before Apple Pay and Google Pay had a flag each: it sets both.
PATH_COLUMNS: dict[str, tuple[str, ...]] = {"allow_web_payments": ("allow_apple_pay", "allow_google_pay")}
SURCHARGE_PATHS = frozenset(
    {
        "corporate_credit_card_surcharge_amount",
        "corporate_debit_card_surcharge_amount",
        "corporate_prepaid_debit_card_surcharge_amount",
    }
)
GATEWAY_MERCHANT_ID_PATH = "credentials/gateway_merchant_id"
NOTIFY_REQUIRED = ("api_token", "template_id", "refund_issued_template_id")
NOTIFY_OPTIONAL = ("email_reply_to_id",)
EMAIL_COLLECTION_MODES = ("MANDATORY", "OPTIONAL", "OFF")

#: path -> the ops it accepts. Not listed: ``corporate_prepaid_credit_card_surcharge_amount``
#: (its column is gone, so we refuse it as unknown rather than fail with a 500).
PATCH_OPS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(BOOLEAN_PATHS | WORLDPAY_PATHS | SURCHARGE_PATHS | frozenset(PATH_COLUMNS), ("replace",)),
    "provider_switch_enabled": ("replace",),
    "integration_version_3ds": ("replace",),
    "email_collection_mode": ("replace",),
    "notify_settings": ("replace", "remove"),
    "disabled_reason": ("replace",),
    GATEWAY_MERCHANT_ID_PATH: ("add", "replace"),
}


@dataclass(frozen=True)
class PatchOp:
    op: str
    path: str
    value: Any


def show(value: Any) -> str:
    """A value as the messages quote it (strings bare, like the original's ``asText``)."""
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_account_patch(body: Any) -> PatchOp:
    """Validate one ``{"op", "path", "value"}`` object against connector.md §14.2; raise PatchInvalid."""
    op, sent_path = _op_and_path(
        body, 'The request body must be a single JSON object {"op", "path", "value"}', _non_blank
    )
    # Paths are matched case-insensitively and then applied under their canonical name,
    # so a mixed-case path works instead of passing validation and failing later.
    path = sent_path.lower()
    if path not in PATCH_OPS:
        raise PatchInvalid(f"Operation [op] not supported for path [{sent_path}]")
    if op not in PATCH_OPS[path]:
        raise PatchInvalid(f"Operation [{op}] is not valid for path [{sent_path}]")
    value = body.get("value")
    if op == "remove":
        return PatchOp(op, path, None)
    if value is None:
        raise PatchInvalid("Field [value] is required")
    return PatchOp(op, path, _validate_patch_value(path, sent_path, value))


def _non_blank(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _op_and_path(operation: Any, not_an_object: str, given: Callable[[Any], bool]) -> tuple[str, str]:
    """``op`` and ``path`` of one JSON-patch operation; PatchInvalid unless it is an object that
    gives both (``given``: what counts as given, e.g. a non-blank string)."""
    if not isinstance(operation, dict):
        raise PatchInvalid(not_an_object)
    missing = [f"Field [{key}] is required" for key in ("op", "path") if not given(operation.get(key))]
    if missing:
        raise PatchInvalid(missing)
    return operation["op"], operation["path"]


def replace_operations(
    body: Any, paths: Sequence[str], *, given: Callable[[Any], bool] = _non_blank
) -> Iterator[tuple[str, Any]]:
    """``(path, value)`` of each operation of a JSON-patch array that may only ``replace`` one of
    ``paths`` (``POST .../stripe-setup``, the credentials PATCH).

    Operations are checked one at a time as the caller takes them, so the caller's own check of
    a value comes before the next operation's: the first problem in the array is the one
    answered (PatchInvalid, 400), and nothing is applied unless every operation is valid.
    """
    if not isinstance(body, list) or not body:
        raise PatchInvalid("The request body must be a non-empty JSON array of patch operations")
    for operation in body:
        op, path = _op_and_path(operation, "Each patch operation must be a JSON object", given)
        if path not in paths:
            raise PatchInvalid(f"Field [path] must be one of [{', '.join(paths)}]")
        if op != "replace":
            raise PatchInvalid(f"Operation [{op}] not supported for path [{path}]")
        yield path, operation.get("value")


def _validate_patch_value(path: str, sent_path: str, value: Any) -> Any:
    invalid = PatchInvalid(f"Value [{show(value)}] is not valid for path [{sent_path}]")
    if path in BOOLEAN_PATHS | WORLDPAY_PATHS | frozenset(PATH_COLUMNS) or path == "provider_switch_enabled":
        if not isinstance(value, bool):
            raise PatchInvalid(f"Value [{show(value)}] must be of type boolean for path [{sent_path}]")
        return value
    if path in SURCHARGE_PATHS:
        if not _is_integer(value) or value < 0 or value >= 2**63:
            raise invalid
        return value
    if path == "integration_version_3ds":
        if not _is_integer(value) or value not in (1, 2):
            raise invalid
        return value
    if path == "email_collection_mode":
        if not isinstance(value, str) or value.upper() not in EMAIL_COLLECTION_MODES:
            raise invalid
        return value.upper()
    if path == "notify_settings":
        return _validate_notify_settings(value, invalid)
    if path == "disabled_reason":
        if not isinstance(value, str):
            raise invalid
        return value
    # credentials/gateway_merchant_id
    if not isinstance(value, str) or not value.strip():
        raise PatchInvalid("Field [value] cannot be empty")
    if not re.fullmatch(r"[0-9a-f]{15}", value):
        raise PatchInvalid(
            f"Field [{GATEWAY_MERCHANT_ID_PATH}] value [{value}] does not match that expected for a "
            "Worldpay Merchant ID; should be 15 characters and within range [0-9a-f]"
        )
    return value


def _validate_notify_settings(value: Any, invalid: Exception) -> dict[str, str]:
    if not isinstance(value, dict):
        raise invalid
    missing = [f"Field [{key}] is required" for key in NOTIFY_REQUIRED if not _non_blank(value.get(key))]
    if missing:
        raise PatchInvalid(missing)
    optional = {key: value[key] for key in NOTIFY_OPTIONAL if value.get(key) is not None}
    if any(not isinstance(v, str) for v in optional.values()):
        raise invalid
    return {**{key: value[key] for key in NOTIFY_REQUIRED}, **optional}


# ---------------------------------------------------------------------------- stripe setup


def parse_stripe_setup(body: Any, tasks: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Validate the JSON-patch array of ``POST .../stripe-setup``; every operation or none."""
    changes: list[tuple[str, bool]] = []
    for path, value in replace_operations(body, tasks):
        if not isinstance(value, bool):
            raise PatchInvalid(f"Value for path [{path}] must be a boolean")
        changes.append((path, value))
    return changes
