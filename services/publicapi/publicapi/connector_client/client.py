"""A typed wrapper over the long-lived ``httpx.AsyncClient`` on ``app.state.connector_http``.

The client only moves bytes: it returns a :class:`ConnectorResponse` for any HTTP answer and
raises :class:`ConnectorUnavailable` when there is no usable answer (connection refused,
timeout, unreadable body). Each feature's service decides what a status means for its
operation. ``X-Request-Id`` is added by ``pay_common.http`` from the request context.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote

import httpx
from fastapi import Depends, Request

from pay_common.logging import get_logger
from publicapi.connector_client.errors import ConnectorUnavailable
from publicapi.connector_client.schemas import ConnectorResponse, JsonObject

logger = get_logger(__name__)


def _segment(value: str) -> str:
    # Ids come from the client's URL; quote them so they can never change the connector path.
    return quote(value, safe="")


class ConnectorClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> ConnectorResponse:
        if "%00" in path:
            # No resource id can hold U+0000 (PostgreSQL text cannot store it): not found,
            # without asking connector to look it up.
            return ConnectorResponse(404, None)
        try:
            response = await self._http.request(method, path, json=json_body, params=params, headers=headers)
        except httpx.TimeoutException as exc:
            logger.warning("connector.timeout", method=method, path=path, error=type(exc).__name__)
            raise ConnectorUnavailable("connector timed out") from exc
        except httpx.HTTPError as exc:
            logger.warning("connector.unreachable", method=method, path=path, error=type(exc).__name__)
            raise ConnectorUnavailable("connector unreachable") from exc
        return ConnectorResponse(response.status_code, _decode(response))

    @staticmethod
    def _account(account_id: str) -> str:
        return f"/v1/api/accounts/{_segment(account_id)}"

    def _charge(self, account_id: str, charge_id: str) -> str:
        return f"{self._account(account_id)}/charges/{_segment(charge_id)}"

    async def create_charge(
        self, account_id: str, body: JsonObject, *, idempotency_key: str | None = None
    ) -> ConnectorResponse:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key is not None else None
        return await self._request(
            "POST", f"{self._account(account_id)}/charges", json_body=body, headers=headers
        )

    async def get_charge(self, account_id: str, charge_id: str) -> ConnectorResponse:
        return await self._request("GET", self._charge(account_id, charge_id))

    async def get_charge_events(self, account_id: str, charge_id: str) -> ConnectorResponse:
        return await self._request("GET", f"{self._charge(account_id, charge_id)}/events")

    async def cancel_charge(self, account_id: str, charge_id: str) -> ConnectorResponse:
        return await self._request("POST", f"{self._charge(account_id, charge_id)}/cancel")

    async def capture_charge(self, account_id: str, charge_id: str) -> ConnectorResponse:
        return await self._request("POST", f"{self._charge(account_id, charge_id)}/capture", json_body={})

    async def create_refund(self, account_id: str, charge_id: str, body: JsonObject) -> ConnectorResponse:
        return await self._request("POST", f"{self._charge(account_id, charge_id)}/refunds", json_body=body)

    async def get_refunds(self, account_id: str, charge_id: str) -> ConnectorResponse:
        return await self._request("GET", f"{self._charge(account_id, charge_id)}/refunds")

    async def get_refund(self, account_id: str, charge_id: str, refund_id: str) -> ConnectorResponse:
        return await self._request(
            "GET", f"{self._charge(account_id, charge_id)}/refunds/{_segment(refund_id)}"
        )

    async def search_charges(self, account_id: str, params: dict[str, str]) -> ConnectorResponse:
        return await self._request("GET", f"{self._account(account_id)}/charges", params=params)

    async def search_refunds(self, account_id: str, params: dict[str, str]) -> ConnectorResponse:
        return await self._request("GET", f"{self._account(account_id)}/refunds", params=params)

    async def search_disputes(self, account_id: str, params: dict[str, str]) -> ConnectorResponse:
        return await self._request("GET", f"{self._account(account_id)}/disputes", params=params)

    async def authorise_moto_charge(self, body: JsonObject) -> ConnectorResponse:
        """MOTO API card details; the one-time token in the body names the charge."""
        return await self._request("POST", "/v1/api/charges/authorise", json_body=body)

    def _agreements(self, account_id: str) -> str:
        return f"{self._account(account_id)}/agreements"

    async def create_agreement(self, account_id: str, body: JsonObject) -> ConnectorResponse:
        return await self._request("POST", self._agreements(account_id), json_body=body)

    async def get_agreement(self, account_id: str, agreement_id: str) -> ConnectorResponse:
        return await self._request("GET", f"{self._agreements(account_id)}/{_segment(agreement_id)}")

    async def search_agreements(self, account_id: str, params: dict[str, str]) -> ConnectorResponse:
        return await self._request("GET", self._agreements(account_id), params=params)

    async def cancel_agreement(self, account_id: str, agreement_id: str) -> ConnectorResponse:
        return await self._request("POST", f"{self._agreements(account_id)}/{_segment(agreement_id)}/cancel")

    async def create_telephone_charge(self, account_id: str, body: JsonObject) -> ConnectorResponse:
        return await self._request("POST", f"{self._account(account_id)}/telephone-charges", json_body=body)


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return json.loads(response.content)
    except ValueError:
        # A non-JSON body (a proxy's HTML error page, say) is read as "no body": success
        # callers then treat it as unavailable, error callers as the GENERIC identifier.
        return None


async def get_connector_client(request: Request) -> ConnectorClient:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a thread hop per request.
    return ConnectorClient(request.app.state.connector_http)


ConnectorDep = Annotated[ConnectorClient, Depends(get_connector_client)]
