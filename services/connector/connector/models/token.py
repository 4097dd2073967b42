"""One-time secure-redirect tokens that take a paying user to the payment pages (connector.md §5.2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, Version
from pay_common.db.base import Model


class Token(Model):
    __tablename__ = "tokens"

    id: Mapped[BigIntPK]
    charge_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("charges.id", ondelete="CASCADE"), nullable=False, index=True
    )
    secure_redirect_token: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    #: Copied from the charge's created_date, as the original does, so tokens die with the charge's age.
    created_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    used: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default="false")
    version: Mapped[Version]
