"""The webhooks service's Prometheus metrics: its API's requests, and deliveries by outcome.

Both are served on listeners of their own (``WEBHOOKS_METRICS_PORT`` for the API,
``WEBHOOKS_WORKER_METRICS_PORT`` for the delivery worker), never on the admin API's port.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from connector.charges.state import ChargeStatus
from tests.factories import create_account, create_charge
from tests.jobs import NEVER
from tests.served import serve_in_loop
from tests.webhooks.conftest import AppFactory
from tests.webhooks.helpers import FakeClock, create_webhook, event, send_events
from tests.webhooks.receiver import serve_receiver
from tests.webhooks.test_delivery import deliver
from webhooks import worker as webhooks_worker


def _value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def _sample(text: str, name: str, **labels: str) -> float:
    """A sample of a scraped exposition (``name{labels} value``), 0 when absent."""
    wanted = [f'{key}="{value}"' for key, value in labels.items()]
    for line in text.splitlines():
        if line.startswith((f"{name}{{", f"{name} ")) and all(part in line for part in wanted):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_the_admin_api_is_counted_on_its_metrics_port_only(webhooks_app_factory: AppFactory) -> None:
    async with webhooks_app_factory(metrics_port=0) as (app, client):
        listed = await client.get(
            "/v1/webhook", params={"service_id": "s", "gateway_account_id": "1", "live": "false"}
        )
        public = await client.get("/metrics")
        async with httpx.AsyncClient() as scraper:
            scraped = (await scraper.get(f"http://127.0.0.1:{app.state.metrics_server.port}/metrics")).text

    assert listed.status_code == 200
    assert public.status_code == 404
    route = {"service": "webhooks", "method": "GET", "route": "/v1/webhook", "status": "200"}
    assert _sample(scraped, "pay_http_requests_total", **route) >= 1
    assert "pay_webhook_deliveries_total" in scraped


@pytest.mark.asyncio
async def test_deliveries_are_counted_by_outcome_with_their_latency(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURE_APPROVED)
    start = datetime.now(UTC) + timedelta(seconds=1)
    clock = FakeClock(start)
    failed = _value("pay_webhook_deliveries_total", outcome="failed")
    successful = _value("pay_webhook_deliveries_total", outcome="successful")
    answered = _value("pay_webhook_delivery_duration_seconds_count", outcome="failed")
    lags = _value("pay_webhook_delivery_lag_seconds_count")
    lag_sum = _value("pay_webhook_delivery_lag_seconds_sum")
    async with serve_receiver(answers=[500, 200]) as receiver:
        await create_webhook(
            webhooks_client,
            receiver.url,
            gateway_account_id=account.id,
            subscriptions=["card_payment_succeeded"],
        )
        timestamp = start.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        await send_events(
            webhooks_client,
            [
                event(
                    charge.external_id,
                    "USER_APPROVED_FOR_CAPTURE",
                    gateway_account_id=account.id,
                    timestamp=timestamp,
                )
            ],
        )
        # The attempt was queued at the real time: on a loaded machine the set-up can outlast the
        # second the clock was given, so the first delivery runs no earlier than now.
        clock.now = max(start, datetime.now(UTC) + timedelta(seconds=1))
        first = clock.now
        assert await deliver(webhooks_app, clock) == 1  # 500
        assert _value("pay_webhook_deliveries_total", outcome="failed") == failed + 1
        assert _value("pay_webhook_delivery_duration_seconds_count", outcome="failed") == answered + 1
        assert _value("pay_webhook_delivery_lag_seconds_count") == lags

        clock.now = first + timedelta(seconds=60)
        assert await deliver(webhooks_app, clock) == 1  # 200, on the first retry

    assert _value("pay_webhook_deliveries_total", outcome="successful") == successful + 1
    assert _value("pay_webhook_delivery_lag_seconds_count") == lags + 1
    # The lag runs from the event to the successful attempt: the minute of the retry included.
    assert _value("pay_webhook_delivery_lag_seconds_sum") - lag_sum == pytest.approx(
        (clock.now - start).total_seconds(), abs=1
    )


@pytest.mark.asyncio
async def test_the_delivery_worker_serves_its_metrics_while_it_runs(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED)
    port = _free_port()
    scrapes: list[str] = []

    async def hook(request: Request) -> Response:
        # Scraped while the worker is delivering the second message (another webhook's: a run
        # of one webhook's messages is counted when it commits): the first is counted.
        await request.body()
        async with httpx.AsyncClient() as scraper:
            scrapes.append((await scraper.get(f"http://127.0.0.1:{port}/metrics")).text)
        return Response(status_code=200)

    async with serve_in_loop(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        for subscription in ("card_payment_succeeded", "card_payment_captured"):
            await create_webhook(
                webhooks_client, f"{url}/hook", gateway_account_id=account.id, subscriptions=[subscription]
            )
        await send_events(
            webhooks_client,
            [
                event(charge.external_id, "USER_APPROVED_FOR_CAPTURE", gateway_account_id=account.id),
                event(charge.external_id, "CAPTURE_CONFIRMED", gateway_account_id=account.id),
            ],
        )
        settings = webhooks_app.state.settings.model_copy(
            update={
                "delivery_sweep_cron": NEVER,
                "retry_stalled_jobs_cron": NEVER,
                "worker_concurrency": 1,
                "worker_metrics_port": port,
            }
        )
        await webhooks_worker.run(settings, install_signal_handlers=False, wait=False)

    first, second = scrapes
    assert _sample(second, "pay_webhook_deliveries_total", outcome="successful") == (
        _sample(first, "pay_webhook_deliveries_total", outcome="successful") + 1
    )
    assert _sample(second, "pay_webhook_delivery_lag_seconds_count") == (
        _sample(first, "pay_webhook_delivery_lag_seconds_count") + 1
    )
    # Stopped with the worker.
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
