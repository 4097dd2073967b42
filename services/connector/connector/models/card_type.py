"""Card brands and types, and which of them each account accepts (connector.md §7.2)."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Column, ForeignKey, String, Table
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import OffByDefault, Version
from pay_common.db.base import Model


class CardType(Model):
    __tablename__ = "card_types"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    brand: Mapped[str] = mapped_column(String(50), nullable=False, index=True)
    type: Mapped[str] = mapped_column(String(10), nullable=False)  # DEBIT | CREDIT
    label: Mapped[str] = mapped_column(String(50), nullable=False)
    requires_3ds: Mapped[OffByDefault]
    version: Mapped[Version]


accepted_card_types = Table(
    "accepted_card_types",
    Model.metadata,
    Column(
        "gateway_account_id",
        BigInteger,
        ForeignKey("gateway_accounts.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("card_type_id", UUID(as_uuid=True), ForeignKey("card_types.id"), primary_key=True),
)
