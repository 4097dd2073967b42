"""SQL of delivery: claim the next due attempt, count a message's failures."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, exists, func, literal_column, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnClause

from webhooks.models import DeliveryAttempt, DeliveryStatus, Webhook, WebhookMessage

#: ``'PENDING'`` as a literal, not a bound parameter: only then can PostgreSQL's generic plans use
#: the partial index ``ix_webhook_delivery_queue_pending`` (its predicate must match the query's).
PENDING: ColumnClause[str] = literal_column("'PENDING'")


async def claim_next_due(
    session: AsyncSession, now: datetime
) -> tuple[DeliveryAttempt, WebhookMessage, Webhook] | None:
    """The oldest due PENDING attempt, locked for this transaction (``SKIP LOCKED``).

    An attempt waits while an earlier due attempt of the same webhook is pending, so each
    webhook's messages go out one at a time in order; a retry waiting for its time does not
    hold the others back.
    """
    earlier = aliased(DeliveryAttempt)
    earlier_message = aliased(WebhookMessage)
    blocked = exists().where(
        earlier.webhook_message_id == earlier_message.id,
        earlier_message.webhook_id == WebhookMessage.webhook_id,
        earlier.delivery_status == PENDING,
        earlier.send_at <= now,
        tuple_(earlier.send_at, earlier.id) < tuple_(DeliveryAttempt.send_at, DeliveryAttempt.id),
    )
    query = (
        select(DeliveryAttempt, WebhookMessage, Webhook)
        .join(WebhookMessage, WebhookMessage.id == DeliveryAttempt.webhook_message_id)
        .join(Webhook, Webhook.id == WebhookMessage.webhook_id)
        .where(
            and_(DeliveryAttempt.delivery_status == PENDING, DeliveryAttempt.send_at <= now),
            ~blocked,
        )
        .order_by(DeliveryAttempt.send_at, DeliveryAttempt.id)
        .limit(1)
        .with_for_update(of=DeliveryAttempt, skip_locked=True)
    )
    row = (await session.execute(query)).first()
    return None if row is None else (row[0], row[1], row[2])


async def claim_following(
    session: AsyncSession, head: DeliveryAttempt, webhook_id: int, now: datetime, limit: int
) -> list[tuple[DeliveryAttempt, WebhookMessage]]:
    """The due PENDING attempts of the webhook after ``head``, in order, locked for this
    transaction. No other worker can be sending them: each waits behind ``head``, which this
    transaction holds (``SKIP LOCKED`` only guards against a sweep racing the same run)."""
    if limit <= 0:
        return []
    query = (
        select(DeliveryAttempt, WebhookMessage)
        .join(WebhookMessage, WebhookMessage.id == DeliveryAttempt.webhook_message_id)
        .where(
            WebhookMessage.webhook_id == webhook_id,
            DeliveryAttempt.delivery_status == PENDING,
            DeliveryAttempt.send_at <= now,
            tuple_(DeliveryAttempt.send_at, DeliveryAttempt.id) > tuple_(head.send_at, head.id),
        )
        .order_by(DeliveryAttempt.send_at, DeliveryAttempt.id)
        .limit(limit)
        .with_for_update(of=DeliveryAttempt, skip_locked=True)
    )
    return [(row[0], row[1]) for row in (await session.execute(query)).all()]


async def failures_of(session: AsyncSession, message_id: int) -> int:
    query = select(func.count()).where(
        DeliveryAttempt.webhook_message_id == message_id,
        DeliveryAttempt.delivery_status == DeliveryStatus.FAILED,
    )
    return int((await session.execute(query)).scalar_one())
