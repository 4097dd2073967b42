"""Turn internal events into messages: one per subscribed webhook, with a first attempt due now.

As upstream (§A5): an event of no subscribed webhook is dropped without calling connector; an
event without ``service_id``, ``live`` or ``gateway_account_id`` is ignored. Unlike upstream, a
redelivered event does not make a second message (unique ``(webhook_id, event_key)``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from pay_common.db.base import utc_now
from pay_common.logging import get_logger
from webhooks import jobs
from webhooks.events.event_map import CHILD_EVENTS, webhook_event_type
from webhooks.events.resource import payment_resource
from webhooks.events.schemas import InternalEvent
from webhooks.ids import new_webhooks_id
from webhooks.messages import repository as messages_repository
from webhooks.models import EventTypeName, Webhook
from webhooks.webhook import repository as webhook_repository

logger = get_logger(__name__)

#: (gateway_account_id, charge_id) → connector's charge JSON.
ChargeFetcher = Callable[[str, str], Awaitable[dict[str, Any]]]


def _payment_id(event: InternalEvent) -> str | None:
    if event.event_type in CHILD_EVENTS:
        return event.parent_resource_external_id
    return event.resource_external_id


def _message(
    webhook: Webhook, event: InternalEvent, event_type: str, resource: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "external_id": new_webhooks_id(),
        "created_date": now,
        "webhook_id": webhook.id,
        "event_date": event.timestamp,
        "event_type": event_type,
        "event_key": event.key,
        "resource": resource,
        "resource_external_id": resource["payment_id"],
        "resource_type": "payment",
    }


#: Payments read from connector at once while a batch is stored.
FETCH_CONCURRENCY = 10


async def handle_events(
    session: AsyncSession,
    events: Sequence[InternalEvent],
    fetch_charge: ChargeFetcher,
    sent: Mapping[str, dict[str, Any]] | None = None,
) -> int:
    """Store the messages of a batch; returns how many were created. Raises (and the whole batch
    rolls back, to be redelivered) when a payment cannot be read.

    A batch holds many payments' events: the subscriptions are read once per (account, event
    type); each payment is taken from ``sent`` (the views connector sent with the batch) or else
    read from connector once, ``FETCH_CONCURRENCY`` at a time, before the messages are written
    in the batch's order.
    """
    subscribed: dict[tuple[str, EventTypeName], Sequence[Webhook]] = {}
    wanted: list[tuple[InternalEvent, EventTypeName, tuple[str, str], Sequence[Webhook]]] = []
    for event in events:
        event_type = webhook_event_type(event.event_type)
        payment_id = _payment_id(event)
        if event_type is None or payment_id is None:
            continue
        if event.service_id is None or event.live is None or event.gateway_account_id is None:
            logger.info("webhooks.event_ignored", reason="missing account data", event_type=event.event_type)
            continue
        key = (event.gateway_account_id, event_type)
        if key not in subscribed:
            subscribed[key] = await webhook_repository.subscribed_to(session, *key)
        if subscribed[key]:
            wanted.append((event, event_type, (event.gateway_account_id, payment_id), subscribed[key]))
    resources = await _payments(fetch_charge, [payment for _, _, payment, _ in wanted], sent or {})
    now = utc_now()
    messages = [
        _message(webhook, event, name, resources[payment], now)
        for event, name, payment, webhooks in wanted
        for webhook in webhooks
    ]
    created = await messages_repository.add_messages(session, messages, now) if messages else 0
    if created:
        await jobs.defer_delivery(session)
    return created


def _sent_view(sent: Mapping[str, dict[str, Any]], account_id: str, payment_id: str) -> dict[str, Any] | None:
    """The view connector sent for the payment, if it is that account's."""
    view = sent.get(payment_id)
    if view is None or str(view.get("gateway_account_id")) != account_id:
        return None
    return view


async def _payments(
    fetch_charge: ChargeFetcher, payments: Sequence[tuple[str, str]], sent: Mapping[str, dict[str, Any]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Each (account, payment)'s resource as the public API shows it, read once each."""
    slots = asyncio.Semaphore(FETCH_CONCURRENCY)

    async def one(payment: tuple[str, str]) -> dict[str, Any]:
        view = _sent_view(sent, *payment)
        if view is not None:
            return payment_resource(view)
        async with slots:
            return payment_resource(await fetch_charge(*payment))

    unique = list(dict.fromkeys(payments))
    return dict(zip(unique, await asyncio.gather(*(one(p) for p in unique)), strict=True))
