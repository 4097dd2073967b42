"""Messages reach the service's receiver signed, on the documented schedule (§A3, §A4)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from tests.factories import create_account, create_charge
from tests.webhooks.conftest import AppFactory, FakeResolver
from tests.webhooks.helpers import FakeClock, attempts, create_webhook, event, send_events, signing_key
from tests.webhooks.receiver import serve_receiver
from webhooks.delivery.sender import delivery_client
from webhooks.delivery.service import RUN_SIZE, deliver_due

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def sample_receiver() -> Any:
    """The ``verify_signature`` of docs/webhooks.md, executed from the document itself."""
    block = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S)
    assert block is not None
    namespace: dict[str, Any] = {}
    exec(block.group(1), namespace)
    return namespace["verify_signature"]


async def deliver(app: FastAPI, clock: FakeClock | None = None) -> int:
    async with delivery_client(timeout=3.0, public_addresses_only=False) as client:
        return await deliver_due(
            app.state.sessionmaker, client, app.state.settings, clock=clock or (lambda: datetime.now(UTC))
        )


@pytest.mark.asyncio
async def test_a_captured_payment_reaches_the_receiver_signed(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(
        db_session, account, status=ChargeStatus.CAPTURED, card_brand="visa", last_digits_card_number="4242"
    )
    async with serve_receiver() as receiver:
        webhook = await create_webhook(
            webhooks_client,
            receiver.url,
            gateway_account_id=account.id,
            subscriptions=["card_payment_captured"],
        )
        stored = await send_events(
            webhooks_client, [event(charge.external_id, "CAPTURE_CONFIRMED", gateway_account_id=account.id)]
        )
        assert stored.status_code == 202
        assert await deliver(webhooks_app) == 1

    assert len(receiver.received) == 1
    received = receiver.received[0]
    verify_signature = sample_receiver()
    assert verify_signature(
        received.body, received.headers["pay-signature"], await signing_key(webhooks_client, webhook)
    )
    assert not verify_signature(received.body, received.headers["pay-signature"], "webhook_test_forged")
    assert received.headers["content-type"] == "application/json"
    body = json.loads(received.body)
    assert body["event_type"] == "card_payment_captured"
    assert body["resource_id"] == charge.external_id
    assert body["api_version"] == 1
    assert body["resource_type"] == "payment"
    assert body["created_date"] == "2026-12-02T10:15:30.123Z"
    resource = body["resource"]
    assert resource["payment_id"] == charge.external_id
    assert resource["amount"] == 1000
    assert resource["state"] == {"status": "success", "finished": True}
    assert resource["card_details"]["last_digits_card_number"] == "4242"
    assert (resource["delayed_capture"], resource["moto"]) == (False, False)
    assert not {"_links", "links", "provider_id"} & set(resource)

    history = await attempts(webhooks_client, webhook)
    assert [(a["status"], a["status_code"], a["result"]) for a in history] == [("SUCCESSFUL", 200, "200 OK")]


@pytest.mark.asyncio
async def test_a_failing_receiver_is_retried_on_the_documented_schedule(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURE_APPROVED)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    clock = FakeClock(start)
    async with serve_receiver(answers=[500, 500, 200]) as receiver:
        webhook = await create_webhook(
            webhooks_client,
            receiver.url,
            gateway_account_id=account.id,
            subscriptions=["card_payment_succeeded"],
        )
        await send_events(
            webhooks_client,
            [event(charge.external_id, "USER_APPROVED_FOR_CAPTURE", gateway_account_id=account.id)],
        )
        assert await deliver(webhooks_app, clock) == 1  # attempt 1: 500
        clock.now = start + timedelta(seconds=59)
        assert await deliver(webhooks_app, clock) == 0  # not yet
        clock.now = start + timedelta(seconds=60)
        assert await deliver(webhooks_app, clock) == 1  # attempt 2: 500
        clock.now = start + timedelta(seconds=60 + 299)
        assert await deliver(webhooks_app, clock) == 0
        clock.now = start + timedelta(seconds=60 + 300)
        assert await deliver(webhooks_app, clock) == 1  # attempt 3: 200

    assert len(receiver.received) == 3
    bodies = {r.body for r in receiver.received}
    assert len(bodies) == 1, "every retry carries the same body"
    history = await attempts(webhooks_client, webhook)
    assert [(a["status"], a["result"]) for a in history] == [
        ("FAILED", "500 Internal Server Error"),
        ("FAILED", "500 Internal Server Error"),
        ("SUCCESSFUL", "200 OK"),
    ]
    sent_at = [datetime.fromisoformat(a["send_at"].replace("Z", "+00:00")) for a in history]
    # The first attempt was due when the event arrived; each retry is due a fixed delay after
    # the attempt that failed.
    assert sent_at[0] < start
    assert sent_at[1] == start + timedelta(seconds=60)
    assert sent_at[2] == start + timedelta(seconds=60) + timedelta(minutes=5)


@pytest.mark.asyncio
async def test_six_failures_end_the_message(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(db_session, account, status=ChargeStatus.AUTHORISATION_REJECTED)
    clock = FakeClock(datetime.now(UTC) + timedelta(seconds=1))
    async with serve_receiver(answers=[503] * 10) as receiver:
        webhook = await create_webhook(
            webhooks_client,
            receiver.url,
            gateway_account_id=account.id,
            subscriptions=["card_payment_failed"],
        )
        await send_events(
            webhooks_client,
            [event(charge.external_id, "AUTHORISATION_REJECTED", gateway_account_id=account.id)],
        )
        for _ in range(8):
            await deliver(webhooks_app, clock)
            clock.now += timedelta(days=3)
    assert len(receiver.received) == 6
    history = await attempts(webhooks_client, webhook)
    assert [a["status"] for a in history] == ["FAILED"] * 6
    message = (await webhooks_client.get(f"/v1/webhook/{webhook['external_id']}/message")).json()["results"][
        0
    ]
    assert message["last_delivery_status"] == "FAILED"
    assert message["latest_attempt"]["status_code"] == 503


@pytest.mark.asyncio
async def test_an_inactive_webhook_gets_will_not_send(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(db_session, account, status=ChargeStatus.USER_CANCELLED)
    async with serve_receiver() as receiver:
        webhook = await create_webhook(
            webhooks_client,
            receiver.url,
            gateway_account_id=account.id,
            subscriptions=["card_payment_failed"],
        )
        params = {"service_id": "service-1", "gateway_account_id": str(account.id)}
        inactive = [{"op": "replace", "path": "status", "value": "INACTIVE"}]
        await webhooks_client.patch(f"/v1/webhook/{webhook['external_id']}", params=params, json=inactive)
        await send_events(
            webhooks_client, [event(charge.external_id, "CANCELLED_BY_USER", gateway_account_id=account.id)]
        )
        assert await deliver(webhooks_app) == 1
    assert receiver.received == []
    assert [(a["status"], a["result"]) for a in await attempts(webhooks_client, webhook)] == [
        ("WILL_NOT_SEND", "Webhook not active")
    ]


@pytest.mark.asyncio
async def test_a_name_repointed_to_an_internal_address_is_never_connected_to(
    webhooks_app_factory: AppFactory, db_session: AsyncSession
) -> None:
    """DNS rebinding: public when the webhook was created, loopback when the message is sent."""
    account = await create_account(db_session, service_id="service-1")
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED)
    resolver = FakeResolver({"hooks.example.gov.uk": ["151.101.0.144"]})
    async with (
        serve_receiver() as receiver,
        webhooks_app_factory(resolver, callback_url_policy="strict") as (app, client),
    ):
        port = httpx.URL(receiver.url).port
        webhook = await create_webhook(
            client,
            f"https://hooks.example.gov.uk:{port}/hook",
            gateway_account_id=account.id,
            subscriptions=["card_payment_captured"],
        )
        await send_events(
            client, [event(charge.external_id, "CAPTURE_CONFIRMED", gateway_account_id=account.id)]
        )
        resolver.table["hooks.example.gov.uk"] = ["127.0.0.1"]
        async with delivery_client(timeout=3.0, public_addresses_only=True, resolver=resolver) as http:
            assert await deliver_due(app.state.sessionmaker, http, app.state.settings) == 1
        history = await attempts(client, webhook)
    assert receiver.received == []
    assert [(a["status"], a["result"]) for a in history] == [("WILL_NOT_SEND", "Violates security rules")]


@pytest.mark.asyncio
async def test_a_busy_webhook_gets_its_messages_in_event_order_and_a_failure_holds_none_back(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI, db_session: AsyncSession
) -> None:
    """More messages than one run sends, the third refused once: the others go out, in order."""
    account = await create_account(db_session, service_id="service-1")
    charges = [
        await create_charge(db_session, account, status=ChargeStatus.CAPTURE_APPROVED)
        for _ in range(RUN_SIZE + 5)
    ]
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    clock = FakeClock(start)
    async with serve_receiver(answers=[200, 200, 500]) as receiver:
        await create_webhook(
            webhooks_client,
            receiver.url,
            gateway_account_id=account.id,
            subscriptions=["card_payment_succeeded"],
        )
        events = [
            event(
                charge.external_id,
                "USER_APPROVED_FOR_CAPTURE",
                gateway_account_id=account.id,
                timestamp=f"2026-12-02T10:15:{n:02d}.000000Z",
            )
            for n, charge in enumerate(charges)
        ]
        assert (await send_events(webhooks_client, events)).status_code == 202
        assert await deliver(webhooks_app, clock) == len(charges)
        clock.now = start + timedelta(seconds=60)
        assert await deliver(webhooks_app, clock) == 1  # the refused one, on its schedule

    order = [json.loads(r.body)["resource_id"] for r in receiver.received]
    ids = [charge.external_id for charge in charges]
    assert order == [*ids, ids[2]]
