"""Typed gateway credentials, one pydantic model per provider (connector.md §14.3).

The ``gateway_account_credentials.credentials`` JSONB column keeps the provider's map as it
was stored; :func:`parse_credentials` is the one place that map becomes a typed value. Adapters
take the typed value, never the map. Unknown keys are ignored (older rows carry keys such as a
flat ``merchant_id``); a known key of the wrong type, or a missing required one, is an error.
Passwords are ``SecretStr``: never in a ``repr``, ``str`` or log line.

Providers without an adapter (adyen, epdq, smartpay) have no model: their maps stay untyped
and :func:`stored_credentials` answers None for them, as for a stored map of the wrong shape
(a credential still being set up); an adapter given None fails the call with a GatewayError.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, ValidationError
from pydantic_core import ErrorDetails

from pay_common.logging import get_logger

logger = get_logger(__name__)

NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class WorldpayRole(StrEnum):
    """The three merchant-code sets of a Worldpay credential, picked by how a payment is taken."""

    ONE_OFF_CUSTOMER_INITIATED = "one_off_customer_initiated"
    RECURRING_CUSTOMER_INITIATED = "recurring_customer_initiated"
    RECURRING_MERCHANT_INITIATED = "recurring_merchant_initiated"


class _Credentials(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="ignore")


class SandboxCredentials(_Credentials):
    """The sandbox needs nothing (``{}``)."""


class StripeCredentials(_Credentials):
    """``{"stripe_account_id": "acct_..."}``: the service's connected account."""

    stripe_account_id: NonEmpty


class WorldpayMerchant(_Credentials):
    """One merchant-code set: the order's merchant code and the basic-auth user."""

    merchant_code: NonEmpty
    username: NonEmpty
    password: SecretStr = Field(min_length=1)


class WorldpayCredentials(_Credentials):
    """Each role is optional until entered; ``gateway_merchant_id`` is Google Pay's (15 hex)."""

    one_off_customer_initiated: WorldpayMerchant | None = None
    recurring_customer_initiated: WorldpayMerchant | None = None
    recurring_merchant_initiated: WorldpayMerchant | None = None
    gateway_merchant_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{15}$")] | None = None

    def merchant(self, role: WorldpayRole) -> WorldpayMerchant | None:
        """The merchant-code set for ``role``, or None when it has not been entered."""
        match role:
            case WorldpayRole.ONE_OFF_CUSTOMER_INITIATED:
                return self.one_off_customer_initiated
            case WorldpayRole.RECURRING_CUSTOMER_INITIATED:
                return self.recurring_customer_initiated
            case WorldpayRole.RECURRING_MERCHANT_INITIATED:
                return self.recurring_merchant_initiated

    def merchant_codes(self) -> set[str]:
        """Every merchant code entered, whatever its role."""
        return {m.merchant_code for m in map(self.merchant, WorldpayRole) if m is not None}


ProviderCredentials = SandboxCredentials | StripeCredentials | WorldpayCredentials

_MODELS: dict[str, type[ProviderCredentials]] = {
    "sandbox": SandboxCredentials,
    "stripe": StripeCredentials,
    "worldpay": WorldpayCredentials,
}


class CredentialsInvalid(ValueError):
    """The map is not a valid shape for the provider; ``errors`` never quote the values."""

    def __init__(self, provider: str, errors: list[str]) -> None:
        self.provider = provider
        self.errors = errors
        super().__init__(f"Invalid {provider} credentials: {'; '.join(errors)}")


def has_typed_credentials(provider: str) -> bool:
    return provider in _MODELS


def credential_fields(provider: str) -> frozenset[str]:
    """The top-level keys the provider's model knows (empty for a provider without a model)."""
    model = _MODELS.get(provider)
    return frozenset(model.model_fields) if model else frozenset()


def parse_credentials(provider: str, raw: Mapping[str, Any]) -> ProviderCredentials:
    """The typed credentials of ``provider``; :class:`CredentialsInvalid` when ``raw`` does not fit."""
    model = _MODELS.get(provider)
    if model is None:
        raise CredentialsInvalid(provider, [f"Payment provider [{provider}] has no typed credentials"])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise CredentialsInvalid(provider, [_describe(e) for e in exc.errors(include_input=False)]) from None


def stored_credentials(provider: str, raw: Mapping[str, Any] | None) -> ProviderCredentials | None:
    """A stored map as typed credentials for a gateway call; None when it cannot be (logged)."""
    try:
        return parse_credentials(provider, raw or {})
    except CredentialsInvalid as exc:
        logger.info("credentials.unusable", payment_provider=provider, errors=exc.errors)
        return None


_MESSAGES = {
    "missing": "is required",
    "string_type": "must be a non-empty string",
    "string_too_short": "must be a non-empty string",
    "too_short": "must be a non-empty string",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "string_pattern_mismatch": "does not have the expected format",
}


def _describe(error: ErrorDetails) -> str:
    field = ".".join(str(part) for part in error["loc"])
    if not field:
        return "Credentials must be an object"
    return f"Field [{field}] {_MESSAGES.get(error['type'], 'is not valid')}"
