"""Typed calls to connector's ``/v1/frontend/*`` endpoints (fact sheet B0).

Every call returns what the journey needs to route on: the HTTP status and, where there is one,
the parsed body. Transport failures raise :class:`ConnectorUnavailable`, which the app renders as
the system error page. Card numbers and CVCs pass through here and are never logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pay_common.logging import get_logger

logger = get_logger(__name__)


def _segment(value: str) -> str:
    """A path segment as connector must receive it: percent-encoded, so a ``?``, ``/`` or control
    character in an id from the browser can neither reach another URL nor break the request."""
    return quote(value, safe="")


class ConnectorUnavailable(Exception):
    """Connector could not be reached, or answered something we cannot read."""


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class CardType(_Lenient):
    brand: str
    label: str = ""
    type: str = ""
    requires3ds: bool = False


class GatewayAccount(_Lenient):
    gateway_account_id: int | str | None = None
    payment_provider: str = "sandbox"
    type: str = "test"
    service_name: str | None = None
    email_collection_mode: str = "MANDATORY"
    requires3ds: bool = False
    block_prepaid_cards: bool = False
    corporate_credit_card_surcharge_amount: int = 0
    corporate_debit_card_surcharge_amount: int = 0
    corporate_prepaid_debit_card_surcharge_amount: int = 0
    card_types: list[CardType] = Field(default_factory=list)


class BillingAddress(_Lenient):
    line1: str | None = None
    line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    county: str | None = None
    country: str | None = None


class CardDetails(_Lenient):
    last_digits_card_number: str | None = None
    first_digits_card_number: str | None = None
    cardholder_name: str | None = None
    expiry_date: str | None = None
    billing_address: BillingAddress | None = None
    card_brand: str | None = None


class Auth3dsData(_Lenient):
    pa_request: str | None = Field(default=None, alias="paRequest")
    issuer_url: str | None = Field(default=None, alias="issuerUrl")
    html_out: str | None = Field(default=None, alias="htmlOut")
    md: str | None = None
    worldpay_challenge_jwt: str | None = Field(default=None, alias="worldpayChallengeJwt")


class Agreement(_Lenient):
    agreement_id: str = ""
    description: str = ""


class Charge(_Lenient):
    """The frontend charge representation (``GET /v1/frontend/charges/{id}``)."""

    charge_id: str = Field(alias="charge_id")
    status: str
    amount: int
    description: str = ""
    reference: str | None = None
    language: str = "en"
    return_url: str | None = None
    email: str | None = None
    payment_provider: str | None = None
    corporate_card_surcharge: int | None = None
    total_amount: int | None = None
    card_details: CardDetails | None = None
    auth_3ds_data: Auth3dsData | None = None
    gateway_account: GatewayAccount = Field(default_factory=GatewayAccount)
    payment_confirmation_email_enabled: bool = False
    moto: bool = False
    save_payment_instrument_to_agreement: bool = False
    agreement: Agreement | None = None

    @property
    def provider(self) -> str:
        return self.payment_provider or self.gateway_account.payment_provider


class TokenLookup(_Lenient):
    used: bool
    charge: Charge


@dataclass(frozen=True)
class Reply:
    """An HTTP answer from connector: the status code and the JSON body (``{}`` when none)."""

    status_code: int
    body: dict[str, Any]

    @property
    def charge_status(self) -> str | None:
        status = self.body.get("status")
        return status if isinstance(status, str) else None


class ConnectorClient:
    """One per request, over the app's long-lived ``connector_http`` client."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> Reply:
        try:
            response = await self._http.request(method, path, json=json)
        except httpx.HTTPError as exc:
            logger.warning("connector.unreachable", method=method, path=path, error=type(exc).__name__)
            raise ConnectorUnavailable(path) from exc
        body: dict[str, Any] = {}
        if response.content:
            try:
                parsed = response.json()
            except ValueError:
                parsed = None
            if isinstance(parsed, dict):
                body = parsed
        return Reply(response.status_code, body)

    async def token(self, token: str) -> TokenLookup | None:
        reply = await self._call("GET", f"/v1/frontend/tokens/{_segment(token)}")
        if reply.status_code != 200:
            return None
        try:
            return TokenLookup.model_validate(reply.body)
        except ValidationError as exc:
            raise ConnectorUnavailable("unreadable token response") from exc

    async def mark_token_used(self, token: str) -> bool:
        return (await self._call("POST", f"/v1/frontend/tokens/{_segment(token)}/used")).status_code == 204

    async def charge(self, charge_id: str) -> Charge | None:
        reply = await self._call("GET", f"/v1/frontend/charges/{_segment(charge_id)}")
        if reply.status_code == 404:
            return None
        if reply.status_code != 200:
            raise ConnectorUnavailable(f"get charge answered {reply.status_code}")
        try:
            return Charge.model_validate(reply.body)
        except ValidationError as exc:
            raise ConnectorUnavailable("unreadable charge response") from exc

    async def start_entering_card_details(self, charge_id: str) -> bool:
        body = {"new_status": "ENTERING CARD DETAILS"}
        return (
            await self._call("PUT", f"/v1/frontend/charges/{_segment(charge_id)}/status", body)
        ).status_code == 204

    async def set_email(self, charge_id: str, email: str) -> bool:
        body = {"op": "replace", "path": "email", "value": email}
        return (
            await self._call("PATCH", f"/v1/frontend/charges/{_segment(charge_id)}", body)
        ).status_code == 200

    async def authorise(self, charge_id: str, payload: dict[str, Any]) -> Reply:
        return await self._call("POST", f"/v1/frontend/charges/{_segment(charge_id)}/cards", payload)

    async def three_ds(self, charge_id: str, payload: dict[str, Any]) -> Reply:
        return await self._call("POST", f"/v1/frontend/charges/{_segment(charge_id)}/3ds", payload)

    async def capture(self, charge_id: str) -> Reply:
        return await self._call("POST", f"/v1/frontend/charges/{_segment(charge_id)}/capture")

    async def cancel(self, charge_id: str) -> Reply:
        return await self._call("POST", f"/v1/frontend/charges/{_segment(charge_id)}/cancel")
