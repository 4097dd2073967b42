"""Seed 003's MOTO API journey end to end: publicapi → connector → PostgreSQL → capture worker.

A service creates a payment with ``authorisation_mode=moto_api``, sends the card details to the
payment's ``auth_url_post`` with its ``one_time_token`` (no API key), and reads the payment.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from connector.config import Settings as ConnectorSettings
from tests.jobs import drain
from tests.publicapi.motoapi.moto import card_for, create_moto_payment, moto_headers

pytestmark = pytest.mark.asyncio
__all__ = ["moto_headers"]  # the fixture, used by name


async def _get(client: httpx.AsyncClient, headers: dict[str, str], payment_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/payments/{payment_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def _authorise(client: httpx.AsyncClient, payment: dict[str, Any]) -> None:
    link = payment["_links"]["auth_url_post"]
    path = httpx.URL(link["href"]).path
    response = await client.request(link["method"], path, json=card_for(payment))
    assert response.status_code == 204, response.text


async def test_moto_api_payment_is_authorised_and_captured(
    publicapi_client: httpx.AsyncClient, moto_headers: dict[str, str], connector_settings: ConnectorSettings
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers)
    assert payment["state"] == {"status": "created", "finished": False}
    assert "return_url" not in payment
    assert payment["moto"] is True
    assert "next_url" not in payment["_links"]

    await _authorise(publicapi_client, payment)

    authorised = await _get(publicapi_client, moto_headers, payment["payment_id"])
    assert authorised["state"] == {"status": "success", "finished": True}
    assert authorised["authorisation_mode"] == "moto_api"
    assert authorised["card_details"]["first_digits_card_number"] == "424242"

    await drain(connector_settings)  # the capture worker

    captured = await _get(publicapi_client, moto_headers, payment["payment_id"])
    assert captured["state"] == {"status": "success", "finished": True}
    assert captured["settlement_summary"]["captured_date"]
    assert captured["refund_summary"]["status"] == "available"


async def test_delayed_capture_moto_api_payment_is_capturable_then_captured(
    publicapi_client: httpx.AsyncClient, moto_headers: dict[str, str], connector_settings: ConnectorSettings
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers, delayed_capture=True)

    await _authorise(publicapi_client, payment)

    capturable = await _get(publicapi_client, moto_headers, payment["payment_id"])
    assert capturable["state"] == {"status": "capturable", "finished": False}
    assert "capture" in capturable["_links"]
    capture = await publicapi_client.post(
        f"/v1/payments/{payment['payment_id']}/capture", headers=moto_headers
    )
    assert capture.status_code == 204
    await drain(connector_settings)

    captured = await _get(publicapi_client, moto_headers, payment["payment_id"])
    assert captured["state"] == {"status": "success", "finished": True}
    assert captured["settlement_summary"]["captured_date"]
