"""A webhook: a service's subscription to its gateway account's payment events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pay_common.db.base import utc_now
from webhooks.models._base import WebhooksModel


class WebhookStatus(StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class EventTypeName(StrEnum):
    """The subscribable event types (webhooks-and-payment-pages.md §A2)."""

    CARD_PAYMENT_STARTED = "card_payment_started"
    CARD_PAYMENT_SUCCEEDED = "card_payment_succeeded"
    CARD_PAYMENT_CAPTURED = "card_payment_captured"
    CARD_PAYMENT_REFUNDED = "card_payment_refunded"
    CARD_PAYMENT_FAILED = "card_payment_failed"
    CARD_PAYMENT_EXPIRED = "card_payment_expired"


class Webhook(WebhooksModel):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    external_id: Mapped[str] = mapped_column(String(30), unique=True)
    created_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    #: Fernet token of the signing key (never the key in plain text).
    signing_key_encrypted: Mapped[str] = mapped_column(Text)
    service_id: Mapped[str] = mapped_column(String(32))
    gateway_account_id: Mapped[str] = mapped_column(String(255), index=True)
    live: Mapped[bool] = mapped_column(Boolean)
    callback_url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default=WebhookStatus.ACTIVE)

    subscriptions: Mapped[list[WebhookSubscription]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="WebhookSubscription.event_type"
    )

    @property
    def subscription_names(self) -> list[str]:
        return [subscription.event_type for subscription in self.subscriptions]


class WebhookSubscription(WebhooksModel):
    __tablename__ = "webhook_subscriptions"

    webhook_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(64), primary_key=True)
