"""Idempotency keys for charge creation (connector.md §4.4): unique per account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt
from pay_common.db.base import Model


class Idempotency(Model):
    __tablename__ = "idempotency"
    __table_args__ = (UniqueConstraint("gateway_account_id", "key"),)

    id: Mapped[BigIntPK]
    key: Mapped[str] = mapped_column(String(255), nullable=False)
    gateway_account_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    resource_external_id: Mapped[str] = mapped_column(String(26), nullable=False)
    request_body: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_date: Mapped[CreatedAt]
