"""Stripe tests: the connector's Stripe adapter against localstripe (plus the shims of tests/stubs)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from connector.gateways import registry
from connector.gateways.stripe.adapter import StripeGateway
from connector.models import Charge, GatewayAccount
from tests.factories import create_account, create_charge
from tests.stubs.servers import serve_localstripe

SIGNING_SECRET = "whsec_test_secret"
CONNECTED_ACCOUNT = "acct_connected_1"
PLATFORM_ACCOUNT = "acct_platform_test"


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    with serve_localstripe() as url:
        yield url


def stripe_gateway(api_base: str, *, timeout: float = 10) -> StripeGateway:
    return StripeGateway(
        api_key="sk_test_connector",
        api_base=api_base,
        timeout=timeout,
        platform_account_id=PLATFORM_ACCOUNT,
        fee_percentage=0.08,
    )


@pytest_asyncio.fixture
async def stripe(
    localstripe: str, connector_app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[StripeGateway]:
    monkeypatch.setattr(
        connector_app.state.settings, "stripe_webhook_signing_secrets", [SecretStr(SIGNING_SECRET)]
    )
    gateway = stripe_gateway(localstripe)
    try:
        with registry.override("stripe", gateway):
            yield gateway
    finally:
        await gateway.close()


@pytest_asyncio.fixture
async def localstripe_client(localstripe: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=localstripe, auth=("sk_test_connector", "")) as client:
        yield client


async def stripe_account(session: AsyncSession, **fields: Any) -> GatewayAccount:
    return await create_account(
        session, payment_provider="stripe", credentials={"stripe_account_id": CONNECTED_ACCOUNT}, **fields
    )


async def stripe_charge(session: AsyncSession, account: GatewayAccount, **fields: Any) -> Charge:
    fields.setdefault("status", "ENTERING CARD DETAILS")
    return await create_charge(session, account, **fields)


def signed(
    event: dict[str, Any], secret: str = SIGNING_SECRET, *, at: int | None = None
) -> tuple[bytes, str]:
    """The body and ``Stripe-Signature`` header Stripe would send for ``event``."""
    payload = json.dumps(event).encode()
    timestamp = at if at is not None else int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return payload, f"t={timestamp},v1={signature}"


def event(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"evt_{kind}_{obj.get('id')}", "object": "event", "type": kind, "data": {"object": obj}}
