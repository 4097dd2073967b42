"""The transactional outbox: one row per event, written in the transaction of the change it reports.

The columns are the message format of connector.md §12.1 (the publisher sends them as they are);
``ordering_key`` is the payment the event belongs to (its own id, or the parent charge's for a
refund), so that the publisher delivers each payment's events, refunds included, in ``id`` order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt
from pay_common.db.base import Model


class OutboxEvent(Model):
    __tablename__ = "outbox_events"
    __table_args__ = (
        # The publisher's and the sweep's question: "what is still to send, oldest first?"
        Index(
            "ix_outbox_events_pending",
            "ordering_key",
            "id",
            postgresql_where=text("emitted_at IS NULL"),
        ),
        # The publisher's drain: every payment's unsent events, oldest first (migration 0012).
        Index("ix_outbox_events_unsent", "id", postgresql_where=text("emitted_at IS NULL")),
        Index("ix_outbox_events_resource", "resource_type", "resource_external_id"),
        Index("ix_outbox_events_event_date", "event_date"),
    )

    id: Mapped[BigIntPK]
    resource_type: Mapped[str] = mapped_column(String(30), nullable=False)
    resource_external_id: Mapped[str] = mapped_column(String(26), nullable=False)
    parent_resource_external_id: Mapped[str | None] = mapped_column(String(26))
    event_type: Mapped[str] = mapped_column(String(100), nullable=False)
    event_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    event_details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    service_id: Mapped[str | None] = mapped_column(String(32))
    live: Mapped[bool] = mapped_column(Boolean, nullable=False)
    gateway_account_id: Mapped[str] = mapped_column(String(255), nullable=False)
    ordering_key: Mapped[str] = mapped_column(String(26), nullable=False)
    created_date: Mapped[CreatedAt]
    #: Set once every consumer has received the event; NULL means "still to send".
    emitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The emitted-events sweep leaves the row alone until then (seed: do_not_retry_emit_until).
    do_not_retry_emit_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
