"""Arrange webhooks, events and deliveries the way the platform produces them."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

import httpx

from tests.webhooks.conftest import INGEST_SECRET


def event(
    charge_id: str,
    event_type: str,
    *,
    gateway_account_id: int | str,
    service_id: str = "service-1",
    timestamp: str = "2026-12-02T10:15:30.123456Z",
    **extra: Any,
) -> dict[str, Any]:
    """An internal event in connector's message format (connector.md §12.1)."""
    return {
        "resource_type": "payment",
        "resource_external_id": charge_id,
        "event_type": event_type,
        "timestamp": timestamp,
        "event_details": {},
        "service_id": service_id,
        "live": False,
        "gateway_account_id": str(gateway_account_id),
        **extra,
    }


async def send_events(
    client: httpx.AsyncClient, events: list[dict[str, Any]], *, secret: str = INGEST_SECRET
) -> httpx.Response:
    body = json.dumps({"events": events}).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return await client.post(
        "/v1/events", content=body, headers={"Content-Type": "application/json", "Pay-Signature": signature}
    )


async def create_webhook(
    client: httpx.AsyncClient,
    callback_url: str,
    *,
    gateway_account_id: int | str,
    subscriptions: list[str],
    **more: Any,
) -> dict[str, Any]:
    body = {
        "service_id": "service-1",
        "gateway_account_id": str(gateway_account_id),
        "live": False,
        "callback_url": callback_url,
        "subscriptions": subscriptions,
        **more,
    }
    response = await client.post("/v1/webhook", json=body)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def signing_key(client: httpx.AsyncClient, webhook: dict[str, Any]) -> str:
    params = {"service_id": webhook["service_id"], "gateway_account_id": webhook["gateway_account_id"]}
    response = await client.get(f"/v1/webhook/{webhook['external_id']}/signing-key", params=params)
    return response.json()["signing_key"]  # type: ignore[no-any-return]


async def attempts(client: httpx.AsyncClient, webhook: dict[str, Any]) -> list[dict[str, Any]]:
    """Every attempt of the webhook's only message, oldest first."""
    messages = (await client.get(f"/v1/webhook/{webhook['external_id']}/message")).json()["results"]
    assert len(messages) == 1
    path = f"/v1/webhook/{webhook['external_id']}/message/{messages[0]['external_id']}/attempt"
    return list(reversed((await client.get(path)).json()))


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now
