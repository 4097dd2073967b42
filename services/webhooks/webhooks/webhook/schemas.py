"""Request and response bodies of the webhook admin API (§A4 "Admin API")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from webhooks.models import EventTypeName, Webhook


def format_instant(moment: datetime) -> str:
    """ISO instant in UTC with millisecond precision: ``2022-06-28T09:24:45.715Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class CreateWebhookRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    service_id: StrictStr = Field(min_length=1, max_length=32)
    gateway_account_id: StrictStr = Field(min_length=1, max_length=255)
    live: StrictBool
    callback_url: StrictStr = Field(min_length=1, max_length=2048)
    description: StrictStr | None = None
    subscriptions: list[EventTypeName] = Field(default_factory=list)


class PatchOperation(BaseModel):
    model_config = ConfigDict(extra="ignore")

    op: Literal["replace"]
    path: StrictStr
    value: Any


class SigningKeyResponse(BaseModel):
    signing_key: str


def webhook_view(webhook: Webhook) -> dict[str, Any]:
    """Upstream's ``WebhookResponse``."""
    return {
        "service_id": webhook.service_id,
        "gateway_account_id": webhook.gateway_account_id,
        "live": webhook.live,
        "callback_url": webhook.callback_url,
        "description": webhook.description,
        "external_id": webhook.external_id,
        "status": webhook.status,
        "created_date": format_instant(webhook.created_date),
        "subscriptions": webhook.subscription_names,
    }
