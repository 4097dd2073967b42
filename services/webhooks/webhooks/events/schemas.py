"""Incoming event batches: ``{"events": [...]}`` in connector's message format (connector.md §12.1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr


class InternalEvent(BaseModel):
    # Unknown members are ignored, as upstream; missing service/account/live is tolerated here
    # and the event skipped (§A5 "Events missing data").
    model_config = ConfigDict(extra="ignore")

    resource_type: StrictStr = Field(max_length=32)
    resource_external_id: StrictStr = Field(max_length=26)
    parent_resource_external_id: StrictStr | None = Field(default=None, max_length=26)
    event_type: StrictStr = Field(max_length=100)
    timestamp: datetime
    event_details: dict[str, Any] = Field(default_factory=dict)
    service_id: StrictStr | None = Field(default=None, max_length=32)
    live: StrictBool | None = None
    gateway_account_id: StrictStr | None = Field(default=None, max_length=255)

    @property
    def key(self) -> str:
        """What identifies the event across at-least-once redeliveries."""
        return f"{self.resource_external_id}:{self.event_type}:{self.timestamp.isoformat()}"


class EventBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    events: list[InternalEvent] = Field(max_length=1000)
    #: The payments the events are about, by id, as connector's charge view shows them when the
    #: batch was sent (connector's webhooks sink adds them); a payment missing here is read back.
    payments: dict[StrictStr, dict[str, Any]] = Field(default_factory=dict, max_length=1000)
