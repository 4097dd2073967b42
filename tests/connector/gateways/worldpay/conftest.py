"""Worldpay tests: the connector app, its Worldpay adapter pointed at the local stub."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.gateways import registry
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Charge, GatewayAccount
from tests.factories import create_account, create_charge
from tests.stubs.servers import WORLDPAY_USERS, serve_worldpay_stub
from tests.stubs.worldpay import notification

#: The stub's slow card answers after this; the adapter gives up well before.
SLOW_SECONDS = 3.0
AUTHORISE_TIMEOUT = 0.5


@pytest.fixture(scope="session")
def worldpay_stub() -> Iterator[str]:
    with serve_worldpay_stub(slow_seconds=SLOW_SECONDS) as url:
        yield url


@pytest_asyncio.fixture
async def worldpay(worldpay_stub: str, connector_app: FastAPI) -> AsyncIterator[WorldpayGateway]:
    async with httpx.AsyncClient() as client:
        gateway = WorldpayGateway(
            client,
            f"{worldpay_stub}/jsp/merchant/xml/paymentService.jsp",
            connect_timeout=2,
            authorise_timeout=AUTHORISE_TIMEOUT,
            capture_timeout=3,
            cancel_timeout=3,
            refund_timeout=3,
            inquiry_timeout=3,
        )
        with registry.override("worldpay", gateway):
            yield gateway


def unreachable_worldpay(client: httpx.AsyncClient, base_url: str) -> WorldpayGateway:
    """A Worldpay adapter pointed at ``base_url`` (a closed port, a silent server), 1 s timeouts."""
    return WorldpayGateway(
        client,
        f"{base_url}/jsp/merchant/xml/paymentService.jsp",
        connect_timeout=1,
        authorise_timeout=1,
        capture_timeout=1,
        cancel_timeout=1,
        refund_timeout=1,
        inquiry_timeout=1,
    )


@pytest_asyncio.fixture
async def stub_client(worldpay_stub: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=worldpay_stub) as client:
        yield client


def worldpay_credentials(**overrides: Any) -> dict[str, Any]:
    return {**{usage: dict(user) for usage, user in WORLDPAY_USERS.items()}, **overrides}


async def worldpay_account(session: AsyncSession, **fields: Any) -> GatewayAccount:
    return await create_account(
        session, payment_provider="worldpay", credentials=worldpay_credentials(), **fields
    )


async def worldpay_charge(session: AsyncSession, account: GatewayAccount, **fields: Any) -> Charge:
    fields.setdefault("status", "ENTERING CARD DETAILS")
    return await create_charge(session, account, **fields)


async def stub_order(stub_client: httpx.AsyncClient, order_code: str) -> dict[str, Any]:
    response = await stub_client.get(f"/_stub/orders/{order_code}")
    assert response.status_code == 200, f"the stub has no order {order_code}"
    result: dict[str, Any] = response.json()
    return result


async def notification_from_stub(
    stub_client: httpx.AsyncClient, order_code: str, status: str, refund_reference: str | None = None
) -> bytes:
    """The order status event the stub would send (built by the stub from its order)."""
    order = await stub_order(stub_client, order_code)
    return notification(order["merchant_code"], order_code, status, 1000, refund_reference).encode()
