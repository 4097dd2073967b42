"""SQL of messages and their delivery attempts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.models import DeliveryAttempt, DeliveryStatus, WebhookMessage

PAGE_SIZE = 10
#: Rows per INSERT: nine parameters each, well under PostgreSQL's 32,767 per statement.
ROWS_PER_INSERT = 1000


async def add_messages(session: AsyncSession, messages: Sequence[Mapping[str, Any]], now: datetime) -> int:
    """Insert the messages, each with a first attempt due ``now``; how many were new.

    A message already made for its (webhook, event) is skipped (a redelivered batch). The
    attempts are numbered in the messages' order, which is the order delivery sends them in.
    """
    created: list[int] = []
    for start in range(0, len(messages), ROWS_PER_INSERT):
        statement = (
            insert(WebhookMessage)
            .values(list(messages[start : start + ROWS_PER_INSERT]))
            .on_conflict_do_nothing(index_elements=["webhook_id", "event_key"])
            .returning(WebhookMessage.id)
        )
        created.extend((await session.scalars(statement)).all())
    created.sort()  # ids follow the VALUES order: the batch's
    for start in range(0, len(created), ROWS_PER_INSERT):
        attempts = [
            {
                "created_date": now,
                "send_at": now,
                "delivery_status": DeliveryStatus.PENDING,
                "webhook_message_id": message_id,
            }
            for message_id in created[start : start + ROWS_PER_INSERT]
        ]
        await session.execute(insert(DeliveryAttempt).values(attempts))
    return len(created)


async def page_of_messages(
    session: AsyncSession, webhook_id: int, *, page: int, status: str | None, resource_id: str | None
) -> tuple[Sequence[WebhookMessage], int]:
    """One page (newest first) and the total count of the webhook's matching messages."""
    conditions = [WebhookMessage.webhook_id == webhook_id]
    if status is not None:
        conditions.append(WebhookMessage.last_delivery_status == status)
    if resource_id is not None:
        conditions.append(WebhookMessage.resource_external_id == resource_id)
    total = (await session.execute(select(func.count()).where(*conditions))).scalar_one()
    query = (
        select(WebhookMessage)
        .where(*conditions)
        .order_by(WebhookMessage.created_date.desc(), WebhookMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return (await session.execute(query)).scalars().all(), total


async def get_message(session: AsyncSession, webhook_id: int, external_id: str) -> WebhookMessage | None:
    query = select(WebhookMessage).where(
        WebhookMessage.webhook_id == webhook_id, WebhookMessage.external_id == external_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def attempts_of(session: AsyncSession, message_id: int) -> Sequence[DeliveryAttempt]:
    """Newest first, the pending (future) attempt included."""
    query = (
        select(DeliveryAttempt)
        .where(DeliveryAttempt.webhook_message_id == message_id)
        .order_by(DeliveryAttempt.created_date.desc(), DeliveryAttempt.id.desc())
    )
    return (await session.execute(query)).scalars().all()


async def latest_attempts(session: AsyncSession, message_ids: Sequence[int]) -> dict[int, DeliveryAttempt]:
    """Per message, its newest finished (non-PENDING) attempt by ``send_at``."""
    if not message_ids:
        return {}
    query = (
        select(DeliveryAttempt)
        .where(
            DeliveryAttempt.webhook_message_id.in_(message_ids),
            DeliveryAttempt.delivery_status != DeliveryStatus.PENDING,
        )
        .order_by(
            DeliveryAttempt.webhook_message_id, DeliveryAttempt.send_at.desc(), DeliveryAttempt.id.desc()
        )
        .ext(distinct_on(DeliveryAttempt.webhook_message_id))
    )
    return {attempt.webhook_message_id: attempt for attempt in (await session.execute(query)).scalars()}


async def delete_older_than(session: AsyncSession, cutoff: datetime, limit: int) -> int:
    """Delete at most ``limit`` messages created before ``cutoff``; attempts go by cascade."""
    oldest = (
        select(WebhookMessage.id)
        .where(WebhookMessage.created_date < cutoff)
        .order_by(WebhookMessage.id)
        .limit(limit)
    )
    result = await session.execute(
        delete(WebhookMessage).where(WebhookMessage.id.in_(oldest.scalar_subquery()))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
