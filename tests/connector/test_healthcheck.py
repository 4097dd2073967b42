from __future__ import annotations

import httpx
import pytest

from connector.app import create_app
from connector.config import Settings


@pytest.mark.asyncio
async def test_healthcheck_reports_a_healthy_database(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.get("/healthcheck")

    assert response.status_code == 200
    assert response.json() == {"database": {"healthy": True}}
    assert len(response.headers["x-request-id"]) == 32


@pytest.mark.asyncio
async def test_healthcheck_is_503_when_the_database_is_down() -> None:
    # Port 1 on loopback: nothing listens there, so every connection attempt fails at once.
    app = create_app(Settings(database_url="postgresql://postgres@127.0.0.1:1/none", run_worker=False))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://connector.test") as client:
            response = await client.get("/healthcheck")

    assert response.status_code == 503
    assert response.json() == {"database": {"healthy": False}}


@pytest.mark.asyncio
async def test_request_id_is_echoed_when_supplied(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.get("/healthcheck", headers={"X-Request-Id": "abc-123"})

    assert response.headers["x-request-id"] == "abc-123"


@pytest.mark.asyncio
async def test_openapi_and_docs_are_served(connector_client: httpx.AsyncClient) -> None:
    spec = await connector_client.get("/openapi.json")
    docs = await connector_client.get("/docs")

    assert spec.status_code == 200
    assert "/healthcheck" in spec.json()["paths"]
    assert docs.status_code == 200
