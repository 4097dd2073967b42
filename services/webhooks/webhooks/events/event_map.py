"""Internal connector event types → the webhook event type they trigger (§A2)."""

from __future__ import annotations

from webhooks.models import EventTypeName

EVENT_MAP: dict[str, EventTypeName] = {
    "USER_APPROVED_FOR_CAPTURE": EventTypeName.CARD_PAYMENT_SUCCEEDED,
    "SERVICE_APPROVED_FOR_CAPTURE": EventTypeName.CARD_PAYMENT_SUCCEEDED,
    "QUEUED_FOR_CAPTURE": EventTypeName.CARD_PAYMENT_SUCCEEDED,
    "CAPTURE_CONFIRMED": EventTypeName.CARD_PAYMENT_CAPTURED,
    "REFUND_SUCCEEDED": EventTypeName.CARD_PAYMENT_REFUNDED,
    "AUTHORISATION_REJECTED": EventTypeName.CARD_PAYMENT_FAILED,
    "AUTHORISATION_CANCELLED": EventTypeName.CARD_PAYMENT_FAILED,
    "GATEWAY_ERROR_DURING_AUTHORISATION": EventTypeName.CARD_PAYMENT_FAILED,
    "GATEWAY_TIMEOUT_DURING_AUTHORISATION": EventTypeName.CARD_PAYMENT_FAILED,
    "UNEXPECTED_GATEWAY_ERROR_DURING_AUTHORISATION": EventTypeName.CARD_PAYMENT_FAILED,
    "CANCELLED_BY_EXTERNAL_SERVICE": EventTypeName.CARD_PAYMENT_FAILED,
    "CANCELLED_BY_USER": EventTypeName.CARD_PAYMENT_FAILED,
    "CANCELLED_BY_EXPIRATION": EventTypeName.CARD_PAYMENT_EXPIRED,
    "PAYMENT_EXPIRED": EventTypeName.CARD_PAYMENT_EXPIRED,
}

#: Events whose resource is a child (a refund): the message is about the parent payment.
CHILD_EVENTS = frozenset({"REFUND_SUCCEEDED"})


def webhook_event_type(internal_event_type: str) -> EventTypeName | None:
    return EVENT_MAP.get(internal_event_type)
