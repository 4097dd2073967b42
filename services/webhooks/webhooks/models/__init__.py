"""The webhooks service's tables (schema ``webhooks``), one module per concept."""

from webhooks.models._base import SCHEMA, WebhooksModel
from webhooks.models.message import DeliveryAttempt, DeliveryStatus, WebhookMessage
from webhooks.models.webhook import EventTypeName, Webhook, WebhookStatus, WebhookSubscription

__all__ = [
    "SCHEMA",
    "DeliveryAttempt",
    "DeliveryStatus",
    "EventTypeName",
    "Webhook",
    "WebhookMessage",
    "WebhookStatus",
    "WebhookSubscription",
    "WebhooksModel",
]
