"""connector's domain metrics: payments by provider and outcome, refunds, the capture queue."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings
from connector.observability.tasks import sample_queues
from tests.factories import create_account
from tests.service_tokens import service_token_headers

CHARGE = {
    "amount": 1000,
    "description": "A licence",
    "reference": "REF-1",
    "return_url": "https://s.gov.uk/r",
}


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.asyncio
async def test_created_charges_are_counted_by_provider(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    before = _value("pay_payments_total", provider="sandbox", outcome="created")

    for _ in range(2):
        response = await connector_client.post(f"/v1/api/accounts/{account.id}/charges", json=CHARGE)
        assert response.status_code == 201

    assert _value("pay_payments_total", provider="sandbox", outcome="created") == before + 2


@pytest.mark.asyncio
async def test_the_job_queue_and_outbox_gauges(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_app: FastAPI
) -> None:
    account = await create_account(db_session)
    for _ in range(3):
        await db_session.execute(
            text(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status)"
                " VALUES ('default', 'metrics.test', '{}', 'todo')"
            )
        )
    await db_session.commit()
    created = await connector_client.post(f"/v1/api/accounts/{account.id}/charges", json=CHARGE)
    assert created.status_code == 201

    await sample_queues(connector_app.state.sessionmaker)
    assert _value("pay_job_queue_depth", queue="metrics.test") == 3
    assert _value("pay_outbox_lag_seconds") > 0

    await db_session.execute(text("DELETE FROM procrastinate_jobs WHERE task_name = 'metrics.test'"))
    await db_session.execute(text("UPDATE outbox_events SET emitted_at = now()"))
    await db_session.commit()
    await sample_queues(connector_app.state.sessionmaker)

    assert _value("pay_job_queue_depth", queue="metrics.test") == 0
    assert _value("pay_job_queue_oldest_age_seconds", queue="metrics.test") == 0
    assert _value("pay_outbox_lag_seconds") == 0


@pytest.mark.asyncio
async def test_connector_serves_its_route_metrics_on_the_metrics_port(
    connector_settings: Settings, clean_db: str
) -> None:
    from connector.app import create_app

    app = create_app(connector_settings.model_copy(update={"metrics_port": 0}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://connector.test") as client:
            assert (await client.get("/v1/api/accounts/123")).status_code == 401
            signed = await client.get("/v1/api/accounts/123", headers=service_token_headers())
            assert signed.status_code == 404
            assert (await client.get("/metrics")).status_code == 404
        async with httpx.AsyncClient() as scraper:
            scraped = (await scraper.get(f"http://127.0.0.1:{app.state.metrics_server.port}/metrics")).text

    lines = scraped.splitlines()
    found = 'pay_http_requests_total{method="GET",route="/v1/api/accounts/{account_id}",service="connector",status="404"}'
    refused = 'pay_http_requests_total{method="GET",route="<unmatched>",service="connector",status="401"}'
    assert any(line.startswith(found) for line in lines)
    assert any(line.startswith(refused) for line in lines)
