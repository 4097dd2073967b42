"""Refunds of a charge, and their history (one row per status a refund entered).

Like the original, a refund refers to its charge by ``charge_external_id`` (no FK).
Statuses: CREATED, REFUND SUBMITTED, REFUNDED, REFUND ERROR (connector.md §3.1).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, ExternalId, Version
from pay_common.db.base import Model


class Refund(Model):
    __tablename__ = "refunds"
    __table_args__ = (Index("ix_refunds_created_date", "created_date"),)

    id: Mapped[BigIntPK]
    external_id: Mapped[ExternalId]
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(25), nullable=False, index=True)
    created_date: Mapped[CreatedAt]
    user_external_id: Mapped[str | None] = mapped_column(String(32))
    user_email: Mapped[str | None] = mapped_column(String(255))
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255), index=True)
    charge_external_id: Mapped[str] = mapped_column(String(26), nullable=False, index=True)
    version: Mapped[Version]
    #: When crash recovery last claimed this ``CREATED`` refund (None: never); see refunds/service.py.
    updated_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RefundHistory(Model):
    __tablename__ = "refunds_history"

    id: Mapped[BigIntPK]
    refund_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    external_id: Mapped[str] = mapped_column(String(26), nullable=False)
    amount: Mapped[int] = mapped_column(BigInteger, nullable=False)
    status: Mapped[str] = mapped_column(String(25), nullable=False)
    created_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    user_external_id: Mapped[str | None] = mapped_column(String(32))
    user_email: Mapped[str | None] = mapped_column(String(255))
    gateway_transaction_id: Mapped[str | None] = mapped_column(String(255))
    charge_external_id: Mapped[str] = mapped_column(String(26), nullable=False, index=True)
    history_start_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    history_end_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[Version]
