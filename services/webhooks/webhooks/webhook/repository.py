"""SQL of the webhook admin API."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.models import Webhook, WebhookSubscription


async def add(session: AsyncSession, webhook: Webhook) -> Webhook:
    session.add(webhook)
    await session.flush()
    return webhook


async def get(
    session: AsyncSession, external_id: str, *, service_id: str | None, gateway_account_id: str | None
) -> Webhook | None:
    """The webhook, filtered by its owner unless both filters are None (the override)."""
    query = select(Webhook).where(Webhook.external_id == external_id)
    if service_id is not None:
        query = query.where(Webhook.service_id == service_id)
    if gateway_account_id is not None:
        query = query.where(Webhook.gateway_account_id == gateway_account_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get_for_update(session: AsyncSession, webhook_id: int) -> Webhook:
    query = select(Webhook).where(Webhook.id == webhook_id).with_for_update()
    return (await session.execute(query)).scalar_one()


async def list_webhooks(
    session: AsyncSession, *, live: bool, service_id: str | None, gateway_account_id: str | None
) -> Sequence[Webhook]:
    query = select(Webhook).where(Webhook.live == live)
    if service_id is not None:
        query = query.where(Webhook.service_id == service_id)
    if gateway_account_id is not None:
        query = query.where(Webhook.gateway_account_id == gateway_account_id)
    query = query.order_by(Webhook.created_date.desc(), Webhook.id.desc())
    return (await session.execute(query)).scalars().all()


async def subscribed_to(session: AsyncSession, gateway_account_id: str, event_type: str) -> Sequence[Webhook]:
    """Webhooks of the account subscribed to the event type (status and live are not checked
    here, as upstream: an inactive webhook's message becomes WILL_NOT_SEND when sent)."""
    query = (
        select(Webhook)
        .join(WebhookSubscription, WebhookSubscription.webhook_id == Webhook.id)
        .where(Webhook.gateway_account_id == gateway_account_id, WebhookSubscription.event_type == event_type)
        .order_by(Webhook.id)
    )
    return (await session.execute(query)).scalars().all()


def replace_subscriptions(webhook: Webhook, names: Sequence[str]) -> None:
    webhook.subscriptions = [WebhookSubscription(event_type=name) for name in dict.fromkeys(names)]
