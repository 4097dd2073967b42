"""MOTO API payments created through the public API, as a service following seed 003 does."""

from __future__ import annotations

from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import create_account
from tests.publicapi.conftest import issue_api_key

CARD: dict[str, str] = {
    "card_number": "4242424242424242",
    "cvc": "123",
    "expiry_date": "09/39",
    "cardholder_name": "J. Citizen",
}


@pytest_asyncio.fixture
async def moto_headers(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> dict[str, str]:
    """An API key of a sandbox account allowed to take moto_api payments."""
    account = await create_account(db_session, allow_authorisation_api=True)
    return {"Authorization": f"Bearer {await issue_api_key(connector_client, account.id)}"}


async def create_moto_payment(
    client: httpx.AsyncClient, headers: dict[str, str], **fields: Any
) -> dict[str, Any]:
    body = {
        "amount": 2000,
        "reference": "PHONE-1",
        "description": "Telephone order",
        "authorisation_mode": "moto_api",
    }
    response = await client.post("/v1/payments", json={**body, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    payment: dict[str, Any] = response.json()
    return payment


def card_for(payment: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """The card details, with the payment's one-time token, for its ``auth_url_post``."""
    token = payment["_links"]["auth_url_post"]["params"]["one_time_token"]
    return {"one_time_token": token, **CARD, **overrides}
