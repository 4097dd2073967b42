"""What connector sends back, read leniently (unknown fields ignored, as the original does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from publicapi.connector_client.errors import ConnectorUnavailable

JsonObject = dict[str, Any]

#: Identifier used when connector's error body is missing or unreadable (publicapi.md §e).
GENERIC = "GENERIC"


@dataclass(frozen=True)
class ConnectorErrorBody:
    """``{"error_identifier", "message": [...], "reason"?}``."""

    error_identifier: str = GENERIC
    messages: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def first_message(self) -> str | None:
        return self.messages[0] if self.messages else None


@dataclass(frozen=True)
class ConnectorResponse:
    status_code: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    def json_object(self) -> JsonObject:
        """The body as a JSON object; callers only ask for it on a success status."""
        if not isinstance(self.body, dict):
            raise ConnectorUnavailable(f"connector answered {self.status_code} without a JSON object")
        return self.body

    def error(self) -> ConnectorErrorBody:
        body = self.body
        if not isinstance(body, dict):
            return ConnectorErrorBody()
        identifier = body.get("error_identifier")
        raw_messages = body.get("message")
        if isinstance(raw_messages, str):
            messages = [raw_messages]
        elif isinstance(raw_messages, list):
            messages = [str(message) for message in raw_messages]
        else:
            messages = []
        reason = body.get("reason")
        return ConnectorErrorBody(
            error_identifier=identifier if isinstance(identifier, str) and identifier else GENERIC,
            messages=messages,
            reason=reason if isinstance(reason, str) else None,
        )
