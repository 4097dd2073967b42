"""One row per status a charge entered, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, Version, owner_id
from pay_common.db.base import Model


class ChargeEvent(Model):
    __tablename__ = "charge_events"

    id: Mapped[BigIntPK]
    charge_id: Mapped[int] = owner_id("charges.id")
    status: Mapped[str] = mapped_column(Text, nullable=False)
    #: The event name of the transition (``PAYMENT_CREATED``, ``AUTHORISATION_SUCCEEDED`` ...).
    event_name: Mapped[str | None] = mapped_column(String(100))
    updated: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    gateway_event_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[Version]
