"""Deliver due attempts: a run of one webhook's due attempts per transaction, holding their rows
while the POSTs go out one after another, in order.

Holding the row locks makes each attempt happen once across any number of workers; a worker
that dies mid-run rolls back, the run's attempts stay PENDING and are sent again (receivers
dedupe on ``webhook_message_id``, which is the same on every try).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger
from pay_common.metrics import WEBHOOK_DELIVERIES, WEBHOOK_DELIVERY_LAG, WEBHOOK_RESPONSE_TIME
from webhooks import jobs
from webhooks.config import Settings
from webhooks.delivery import repository
from webhooks.delivery.schedule import next_retry_in
from webhooks.delivery.sender import Outcome, post, sign
from webhooks.models import DeliveryAttempt, DeliveryStatus, Webhook, WebhookMessage, WebhookStatus
from webhooks.webhook.callback_url import check_callback_url
from webhooks.webhook.errors import CallbackUrlError
from webhooks.webhook.schemas import format_instant
from webhooks.webhook.service import cipher_of

logger = get_logger(__name__)
Clock = Callable[[], datetime]


def message_body(message: WebhookMessage) -> bytes:
    """The body of §A3, serialised at send time from the stored message."""
    body: dict[str, Any] = {
        "webhook_message_id": message.external_id,
        "created_date": format_instant(message.event_date),
        "resource_id": message.resource_external_id,
        "api_version": 1,
        "resource_type": message.resource_type,
        "event_type": message.event_type,
        "resource": message.resource,
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _will_not_send(webhook: Webhook, settings: Settings) -> Outcome | None:
    if webhook.status != WebhookStatus.ACTIVE:
        return Outcome(DeliveryStatus.WILL_NOT_SEND, "Webhook not active")
    if webhook.live:
        try:
            check_callback_url(
                webhook.callback_url,
                live=True,
                policy=settings.effective_callback_url_policy,
                allow_domains=settings.live_data_allow_domains,
            )
        except CallbackUrlError:
            return Outcome(DeliveryStatus.WILL_NOT_SEND, "Violates security rules")
    return None


async def _record(
    session: AsyncSession, attempt: DeliveryAttempt, message: WebhookMessage, outcome: Outcome, now: datetime
) -> None:
    failed = outcome.status == DeliveryStatus.FAILED
    # Counted before this attempt is marked: only a failure needs the count (§A4's schedule).
    failed_before = await repository.failures_of(session, message.id) if failed else 0
    attempt.delivery_status = outcome.status
    attempt.delivery_result = outcome.result
    attempt.status_code = outcome.status_code
    attempt.delivery_response_time_in_millis = outcome.response_time_ms
    message.last_delivery_status = outcome.status
    if not failed:
        return
    delay = next_retry_in(failed_before)
    if delay is None:
        logger.warning("webhooks.message_failed_terminally", message_id=message.external_id)
        return
    session.add(
        DeliveryAttempt(
            created_date=now,
            send_at=now + delay,
            delivery_status=DeliveryStatus.PENDING,
            webhook_message_id=message.id,
        )
    )
    await jobs.defer_delivery(session, at=now + delay)


#: Attempts of one webhook sent in one transaction, one after another. A run pays for one claim
#: and one commit instead of one each per message: one webhook's messages go out one at a time,
#: so how fast a busy webhook is told is this path's speed (docs/benchmarks.md, "Webhooks"). A
#: worker that dies mid-run sends the run's messages again (at least once, as for one attempt).
RUN_SIZE = 20


async def deliver_run(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    settings: Settings,
    now: datetime,
    limit: int = RUN_SIZE,
) -> int:
    """Send the next due attempt and, in order, up to ``limit - 1`` due attempts of the same
    webhook after it; how many were sent (0 when nothing was due)."""
    observed: list[tuple[Outcome, timedelta]] = []
    async with unit_of_work(sessionmaker) as session:
        claimed = await repository.claim_next_due(session, now)
        if claimed is None:
            return 0
        head, first, webhook = claimed
        run = [(head, first), *await repository.claim_following(session, head, webhook.id, now, limit - 1)]
        key: str | None = None
        for attempt, message in run:
            outcome = _will_not_send(webhook, settings)
            if outcome is None:
                key = key or cipher_of(settings).decrypt(webhook.signing_key_encrypted)
                body = message_body(message)
                outcome = await post(client, webhook.callback_url, body, sign(body, key))
            await _record(session, attempt, message, outcome, now)
            logger.info(
                "webhooks.delivery_attempted",
                webhook_id=webhook.external_id,
                message_id=message.external_id,
                status=outcome.status,
                result=outcome.result,
            )
            observed.append((outcome, now - message.event_date))
    # Counted once the outcomes are committed: a rolled-back run is sent again and counted then.
    for outcome, since_event in observed:
        _observe(outcome, since_event)
    return len(observed)


def _observe(outcome: Outcome, since_event: timedelta) -> None:
    label = outcome.status.lower()
    WEBHOOK_DELIVERIES.labels(outcome=label).inc()
    if outcome.response_time_ms is not None:
        WEBHOOK_RESPONSE_TIME.labels(outcome=label).observe(outcome.response_time_ms / 1000)
    if outcome.status == DeliveryStatus.SUCCESSFUL:
        WEBHOOK_DELIVERY_LAG.observe(max(since_event.total_seconds(), 0.0))


async def deliver_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    client: httpx.AsyncClient,
    settings: Settings,
    *,
    clock: Clock = utc_now,
    limit: int | None = None,
) -> int:
    """Send attempts that are due until none is left (or ``limit``); returns how many were made."""
    sent = 0
    while limit is None or sent < limit:
        run = RUN_SIZE if limit is None else min(RUN_SIZE, limit - sent)
        made = await deliver_run(sessionmaker, client, settings, clock(), run)
        if not made:
            break
        sent += made
    return sent
