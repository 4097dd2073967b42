"""Messages and delivery attempts per webhook, and the message clean-up task (§A4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query

from pay_common.db.base import utc_now
from webhooks.dependencies import SettingsDep
from webhooks.errors import NotFound
from webhooks.messages import repository
from webhooks.messages.schemas import attempt_view, message_view
from webhooks.models import DeliveryStatus, Webhook
from webhooks.postgres import SessionDep
from webhooks.webhook import repository as webhook_repository
from webhooks.webhook.errors import WebhookNotFound

router = APIRouter(prefix="/v1/webhook", tags=["messages"])


async def _webhook(session: SessionDep, webhook_id: str) -> Webhook:
    webhook = await webhook_repository.get(session, webhook_id, service_id=None, gateway_account_id=None)
    if webhook is None:
        raise WebhookNotFound()
    return webhook


@router.post("/tasks/delete_messages")
async def delete_messages(session: SessionDep, settings: SettingsDep) -> dict[str, int]:
    cutoff = utc_now() - timedelta(days=settings.maximum_age_of_message_days)
    deleted = await repository.delete_older_than(
        session, cutoff, settings.maximum_number_of_messages_to_expire_per_job
    )
    return {"deleted": deleted}


@router.get("/{webhook_id}/message")
async def list_messages(
    webhook_id: str,
    session: SessionDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    status: DeliveryStatus | None = None,
    resource_id: Annotated[str | None, Query(max_length=26)] = None,
) -> dict[str, Any]:
    webhook = await _webhook(session, webhook_id)
    messages, total = await repository.page_of_messages(
        session, webhook.id, page=page, status=status, resource_id=resource_id
    )
    latest = await repository.latest_attempts(session, [message.id for message in messages])
    results = [message_view(message, latest.get(message.id)) for message in messages]
    return {"count": len(results), "page": page, "total": total, "results": results}


@router.get("/{webhook_id}/message/{message_id}")
async def get_message(webhook_id: str, message_id: str, session: SessionDep) -> dict[str, Any]:
    webhook = await _webhook(session, webhook_id)
    message = await repository.get_message(session, webhook.id, message_id)
    if message is None:
        raise NotFound("Not found", error_identifier="NOT_FOUND")
    latest = await repository.latest_attempts(session, [message.id])
    return message_view(message, latest.get(message.id))


@router.get("/{webhook_id}/message/{message_id}/attempt")
async def list_attempts(webhook_id: str, message_id: str, session: SessionDep) -> list[dict[str, Any]]:
    webhook = await _webhook(session, webhook_id)
    message = await repository.get_message(session, webhook.id, message_id)
    if message is None:
        return []
    return [attempt_view(attempt) for attempt in await repository.attempts_of(session, message.id)]
