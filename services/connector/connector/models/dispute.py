"""A dispute (chargeback) raised against a charge, as the provider last described it.

Written by the Stripe webhook handler (``charge.dispute.created/updated/closed``); read by
the disputes feature. ``payload`` keeps the provider's dispute object as last received.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt
from pay_common.db.base import Model


class Dispute(Model):
    __tablename__ = "disputes"

    id: Mapped[BigIntPK]
    gateway_dispute_id: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    charge_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("charges.id", ondelete="CASCADE"), index=True
    )
    payment_intent_id: Mapped[str | None] = mapped_column(String(255))
    amount: Mapped[int | None] = mapped_column(BigInteger)
    reason: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(50), nullable=False)
    evidence_due_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_event_type: Mapped[str] = mapped_column(String(50), nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_date: Mapped[CreatedAt]
    updated_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
