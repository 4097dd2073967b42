"""Stripe onboarding checklist: one row per completed task per account."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, Version, owner_id
from pay_common.db.base import Model


class GatewayAccountStripeSetup(Model):
    __tablename__ = "gateway_accounts_stripe_setup"
    __table_args__ = (UniqueConstraint("gateway_account_id", "task"),)

    id: Mapped[BigIntPK]
    gateway_account_id: Mapped[int] = owner_id("gateway_accounts.id")
    task: Mapped[str] = mapped_column(String(255), nullable=False)
    version: Mapped[Version]
