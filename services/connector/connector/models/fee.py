"""Fees a payment provider charged us for a charge (Stripe: transaction, radar, 3DS fees).

The API shows ``fee`` (the sum collected) and ``net_amount`` only when a charge has fees
(connector.md §4.3). The sandbox never charges fees; other adapters will write these rows.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, ExternalId, Version, owner_id
from pay_common.db.base import Model


class Fee(Model):
    __tablename__ = "fees"

    id: Mapped[BigIntPK]
    external_id: Mapped[ExternalId]
    charge_id: Mapped[int] = owner_id("charges.id")
    amount_due: Mapped[int] = mapped_column(BigInteger, nullable=False)
    amount_collected: Mapped[int] = mapped_column(BigInteger, nullable=False)
    fee_type: Mapped[str | None] = mapped_column(String(20))  # transaction | radar | three_ds
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255), index=True)
    gateway_processing_details: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_date: Mapped[CreatedAt]
    collected_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[Version]
