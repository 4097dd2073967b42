"""One email the platform owes a payer: a payment confirmation or a refund issued.

Written by the emails consumer of the event stream (at most one such row per charge, kind and
refund, whatever the redeliveries) and sent by its job, or by a resend request (a row per
request, sent at once); ``status`` says how far it got.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt
from pay_common.db.base import Model


class PaymentEmail(Model):
    __tablename__ = "payment_emails"
    __table_args__ = (
        # What the event stream owes, once: a redelivered event finds its row (resends are not owed).
        Index(
            "uq_payment_emails_owed",
            "charge_external_id",
            "kind",
            "refund_external_id",
            unique=True,
            postgresql_where=text("source = 'EVENT'"),
        ),
    )

    id: Mapped[BigIntPK]
    created_date: Mapped[CreatedAt]
    #: ``PAYMENT_CONFIRMED`` or ``REFUND_ISSUED`` (the email_notifications types).
    kind: Mapped[str] = mapped_column(String(30), nullable=False)
    charge_external_id: Mapped[str] = mapped_column(String(26), nullable=False, index=True)
    #: The refund of a REFUND_ISSUED email; '' for a payment confirmation (so the key is unique).
    refund_external_id: Mapped[str] = mapped_column(String(26), nullable=False, server_default="")
    #: ``EVENT`` (owed by the event stream) or ``RESEND`` (``POST .../resend-confirmation-email``).
    source: Mapped[str] = mapped_column(String(10), nullable=False, server_default="EVENT")
    #: ``PENDING`` → ``SENT`` (Notify took it) / ``DELIVERED_LOCALLY`` (the local mailbox) /
    #: ``NOT_SENT`` (switched off, no address...) / ``FAILED`` (Notify refused it for good).
    status: Mapped[str] = mapped_column(String(20), nullable=False, server_default="PENDING")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    template_id: Mapped[str | None] = mapped_column(String(64))
    #: Notify's notification id once sent.
    notification_id: Mapped[str | None] = mapped_column(String(64))
    #: Why it was not sent, or Notify's last error (never the address).
    detail: Mapped[str | None] = mapped_column(Text)
    #: The local mailbox only (development): who it was for and what it said.
    mailbox_to: Mapped[str | None] = mapped_column(String(254))
    mailbox_personalisation: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    sent_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
