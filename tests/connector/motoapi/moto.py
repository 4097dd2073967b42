"""Arranging MOTO API charges through connector's own API, as publicapi creates them."""

from __future__ import annotations

import re
from typing import Any

import httpx

from connector.models import GatewayAccount

#: A card the sandbox authorises, as a service sends it to ``POST /v1/auth``.
CARD: dict[str, str] = {
    "card_number": "4242424242424242",
    "cvc": "123",
    "expiry_date": "09/39",
    "cardholder_name": "Joe Boggs",
}
AUTHORISE = "/v1/api/charges/authorise"


async def create_moto_charge(
    client: httpx.AsyncClient, account: GatewayAccount, **fields: Any
) -> tuple[str, str]:
    """A new moto_api charge of ``account``: its external id and the one-time token of its link."""
    body = {
        "amount": 1234,
        "reference": "MOTO-1",
        "description": "Phone order",
        "authorisation_mode": "moto_api",
    }
    response = await client.post(f"/v1/api/accounts/{account.id}/charges", json={**body, **fields})
    assert response.status_code == 201, response.text
    return response.json()["charge_id"], auth_token(response.json())


def auth_token(charge: dict[str, Any]) -> str:
    [link] = [link for link in charge["links"] if link["rel"] == "auth_url_post"]
    token: str = link["params"]["one_time_token"]
    return token


def card(token: str, **overrides: Any) -> dict[str, Any]:
    return {"one_time_token": token, **CARD, **overrides}


def mentions(text: str, digits: str) -> bool:
    """Whether ``digits`` (a CVC, say) stand on their own in ``text``: not inside the longer runs
    of letters, digits or dots of random ids, request ids and timestamps."""
    return re.search(rf"(?<![0-9a-z.]){digits}(?![0-9a-z.])", text) is not None
