"""Per-account settings of the two emails Pay sends: payment confirmed and refund issued."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, Version
from pay_common.db.base import Model


class EmailNotification(Model):
    __tablename__ = "email_notifications"
    __table_args__ = (UniqueConstraint("account_id", "type"),)

    id: Mapped[BigIntPK]
    account_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("gateway_accounts.id", ondelete="CASCADE"), nullable=False
    )
    type: Mapped[str] = mapped_column(String(30), nullable=False)  # PAYMENT_CONFIRMED | REFUND_ISSUED
    template_body: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="true")
    version: Mapped[Version]
