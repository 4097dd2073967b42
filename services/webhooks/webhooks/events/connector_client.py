"""Reading a payment from connector, for an event whose batch did not carry its view (a batch from
another sink, or from a connector that sends none): the message resource is built from it."""

from __future__ import annotations

from typing import Any

import httpx

from pay_common.logging import get_logger

logger = get_logger(__name__)


class PaymentUnavailable(Exception):
    """Connector could not answer with the payment now: the event batch is refused, and retried."""


async def fetch_charge(client: httpx.AsyncClient, gateway_account_id: str, charge_id: str) -> dict[str, Any]:
    path = f"/v1/api/accounts/{gateway_account_id}/charges/{charge_id}"
    try:
        response = await client.get(path)
    except httpx.HTTPError as exc:
        raise PaymentUnavailable(f"connector unreachable: {type(exc).__name__}") from exc
    if response.status_code != 200:
        logger.warning("webhooks.payment_lookup_failed", status=response.status_code, charge_id=charge_id)
        raise PaymentUnavailable(f"connector answered {response.status_code}")
    body = response.json()
    if not isinstance(body, dict):
        raise PaymentUnavailable("connector answered with something other than a charge")
    return body
