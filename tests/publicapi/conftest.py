"""Fixtures for the public API: a real publicapi app talking to a real in-process connector.

``publicapi_client`` is an httpx client on a fresh publicapi app (fresh key cache and rate
limiter) whose ``app.state.connector_http`` reaches the session's connector app through
``httpx.ASGITransport``: every request goes publicapi → connector → PostgreSQL.
Override ``publicapi_settings`` in a test module to change limits, cache time or Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from publicapi.app import create_app as create_publicapi_app
from publicapi.config import Settings as PublicApiSettings
from tests.factories import create_account

PUBLICAPI_BASE_URL = "http://publicapi.test"
CONNECTOR_BASE_URL = "http://connector.test"


@pytest.fixture
def publicapi_settings() -> PublicApiSettings:
    return PublicApiSettings(base_url=PUBLICAPI_BASE_URL, connector_url=CONNECTOR_BASE_URL, log_json=True)


@pytest.fixture
def connector_requests() -> list[httpx.Request]:
    """Every request publicapi sent to connector during the test, in order."""
    return []


@pytest_asyncio.fixture
async def publicapi_app(
    publicapi_settings: PublicApiSettings,
    connector_app: FastAPI,
    clean_db: str,
    connector_requests: list[httpx.Request],
) -> AsyncIterator[FastAPI]:
    app = create_publicapi_app(publicapi_settings, connector_transport=httpx.ASGITransport(app=connector_app))

    async def record(request: httpx.Request) -> None:
        connector_requests.append(request)

    async with app.router.lifespan_context(app):
        app.state.connector_http.event_hooks["request"].append(record)
        yield app


@pytest_asyncio.fixture
async def publicapi_client(publicapi_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the public API (no Authorization header: add ``auth_headers``)."""
    transport = httpx.ASGITransport(app=publicapi_app)
    async with httpx.AsyncClient(transport=transport, base_url=PUBLICAPI_BASE_URL) as client:
        yield client


@pytest_asyncio.fixture
async def sandbox_account(db_session: AsyncSession) -> GatewayAccount:
    """A fresh committed sandbox test account (``sandbox_account.id`` is the public account id)."""
    return await create_account(db_session)


async def issue_api_key(
    connector_client: httpx.AsyncClient, account_id: int, description: str = "test key"
) -> str:
    """A new API key for the account, minted by connector's ``POST /v1/frontend/auth``."""
    response = await connector_client.post(
        "/v1/frontend/auth",
        json={"account_id": str(account_id), "description": description, "created_by": "tests"},
    )
    assert response.status_code == 200, response.text
    key: str = response.json()["token"]
    return key


@pytest_asyncio.fixture
async def api_key(connector_client: httpx.AsyncClient, sandbox_account: GatewayAccount) -> str:
    """A valid API key of ``sandbox_account``."""
    return await issue_api_key(connector_client, sandbox_account.id)


@pytest.fixture
def auth_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}
