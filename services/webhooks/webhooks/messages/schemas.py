"""Responses of the messages API: upstream's WebhookMessageResponse and delivery attempts."""

from __future__ import annotations

from typing import Any

from webhooks.models import DeliveryAttempt, WebhookMessage
from webhooks.webhook.schemas import format_instant


def attempt_view(attempt: DeliveryAttempt) -> dict[str, Any]:
    return {
        "created_date": format_instant(attempt.created_date),
        "send_at": format_instant(attempt.send_at),
        "status": attempt.delivery_status,
        "response_time": attempt.delivery_response_time_in_millis,
        "status_code": attempt.status_code,
        "result": attempt.delivery_result,
    }


def message_view(message: WebhookMessage, latest_attempt: DeliveryAttempt | None) -> dict[str, Any]:
    return {
        "external_id": message.external_id,
        "created_date": format_instant(message.created_date),
        "event_date": format_instant(message.event_date),
        "event_type": message.event_type,
        "resource_id": message.resource_external_id,
        "resource_type": message.resource_type,
        "resource": message.resource,
        "latest_attempt": attempt_view(latest_attempt) if latest_attempt is not None else None,
        "last_delivery_status": message.last_delivery_status,
    }
