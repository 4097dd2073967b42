"""From the payment pages to the service's receiver: the whole event pipeline, real parts only.

transition() → outbox → connector worker (publisher) → webhooks ``POST /v1/events`` → webhooks
worker → the service's HTTP receiver, signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings as ConnectorSettings
from tests.factories import create_account
from tests.frontend.conftest import PaymentFactory, pay_through_pages
from tests.jobs import NEVER, drain
from tests.served import serve_in_loop
from tests.webhooks.conftest import INGEST_SECRET, AppFactory
from tests.webhooks.helpers import create_webhook, signing_key
from tests.webhooks.receiver import Receiver, serve_receiver
from webhooks import worker as webhooks_worker

EVENT_TYPES = ["card_payment_succeeded", "card_payment_captured", "card_payment_refunded"]


async def run_pipeline(connector_settings: ConnectorSettings, webhooks_app: FastAPI) -> None:
    """Drain the connector's queue into the webhooks service (served on a port, reached by the
    worker's own sink, as deployed), then drain the deliveries."""
    async with serve_in_loop(webhooks_app) as url:
        await drain(
            connector_settings,
            webhooks_events_url=f"{url}/v1/events",
            webhooks_events_secret=SecretStr(INGEST_SECRET),
        )
    settings = webhooks_app.state.settings.model_copy(
        update={"delivery_sweep_cron": NEVER, "retry_stalled_jobs_cron": NEVER, "worker_concurrency": 1}
    )
    await webhooks_worker.run(settings, install_signal_handlers=False, wait=False)


def delivered(receiver: Receiver, key: str) -> list[dict[str, Any]]:
    bodies = []
    for received in receiver.received:
        expected = hmac.new(key.encode(), received.body, hashlib.sha256).hexdigest()
        assert received.headers["pay-signature"] == expected
        bodies.append(json.loads(received.body))
    return bodies


@pytest.mark.asyncio
async def test_a_paid_then_refunded_payment_is_told_to_the_service(
    webhooks_app_factory: AppFactory,
    connector_settings: ConnectorSettings,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    """The payments travel with the events: the webhooks service never reads connector here."""
    account = await create_account(db_session, service_id="service-1")
    async with (
        webhooks_app_factory(connector_reachable=False) as (webhooks_app, webhooks_client),
        serve_receiver() as receiver,
    ):
        webhook = await create_webhook(
            webhooks_client, receiver.url, gateway_account_id=account.id, subscriptions=EVENT_TYPES
        )
        payment = await new_payment(account)
        assert (await pay_through_pages(browser, payment)).status_code == 303
        await run_pipeline(connector_settings, webhooks_app)

        key = await signing_key(webhooks_client, webhook)
        assert [b["event_type"] for b in delivered(receiver, key)] == EVENT_TYPES[:2]

        refund = await connector_client.post(
            f"/v1/api/accounts/{account.id}/charges/{payment.charge_id}/refunds",
            json={"amount": 234, "refund_amount_available": 1234},
        )
        assert refund.status_code == 202, refund.text
        await run_pipeline(connector_settings, webhooks_app)

    bodies = delivered(receiver, key)
    assert [b["event_type"] for b in bodies] == EVENT_TYPES
    assert {b["resource_id"] for b in bodies} == {payment.charge_id}
    refunded = bodies[2]["resource"]
    assert refunded["payment_id"] == payment.charge_id
    assert refunded["refund_summary"] == {
        "status": "available",
        "amount_available": 1000,
        "amount_submitted": 234,
    }
    assert refunded["state"] == {"status": "success", "finished": True}
    assert refunded["email"] == "jane@example.org"
