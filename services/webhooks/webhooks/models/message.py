"""A message (one per webhook per triggering event) and its delivery attempts."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pay_common.db.base import utc_now
from webhooks.models._base import WebhooksModel


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    SUCCESSFUL = "SUCCESSFUL"
    FAILED = "FAILED"
    WILL_NOT_SEND = "WILL_NOT_SEND"


class WebhookMessage(WebhooksModel):
    __tablename__ = "webhook_messages"
    __table_args__ = (
        # One message per webhook per source event: the event stream delivers at least once,
        # so a redelivered event must not make a second message (upstream has no such guard).
        Index("uq_webhook_messages_webhook_id_event_key", "webhook_id", "event_key", unique=True),
        Index("ix_webhook_messages_webhook_id_created_date", "webhook_id", "created_date"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(30), unique=True)
    created_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    webhook_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("webhooks.id", ondelete="CASCADE"))
    #: The internal event's timestamp: sent as ``created_date`` in the body.
    event_date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    event_type: Mapped[str] = mapped_column(String(64))
    #: What identifies the source event (resource, internal type, timestamp).
    event_key: Mapped[str] = mapped_column(String(200))
    resource: Mapped[dict[str, Any]] = mapped_column(JSONB)
    resource_external_id: Mapped[str] = mapped_column(String(26), index=True)
    resource_type: Mapped[str] = mapped_column(String(32))
    last_delivery_status: Mapped[str | None] = mapped_column(String(32))


class DeliveryAttempt(WebhooksModel):
    """A row of upstream's ``webhook_delivery_queue``: one per attempt, a retry is a new row."""

    __tablename__ = "webhook_delivery_queue"
    __table_args__ = (
        Index("ix_webhook_delivery_queue_send_at_delivery_status", "send_at", "delivery_status"),
        # The delivery claim reads only PENDING attempts in (send_at, id) order, and asks whether
        # an earlier one of the same webhook is pending: without this partial index both scan
        # every attempt ever made, so each claim slowed as the log grew (docs/benchmarks.md).
        Index(
            "ix_webhook_delivery_queue_pending",
            "send_at",
            "id",
            postgresql_where=text("delivery_status = 'PENDING'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    send_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivery_status: Mapped[str] = mapped_column(String(32), default=DeliveryStatus.PENDING)
    delivery_result: Mapped[str | None] = mapped_column(Text)
    status_code: Mapped[int | None] = mapped_column(Integer)
    delivery_response_time_in_millis: Mapped[int | None] = mapped_column(Integer)
    webhook_message_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
