"""One-time secure-redirect tokens that take a paying user to the payment pages (connector.md §5.2)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, OffByDefault, Version, owner_id
from pay_common.db.base import Model


class Token(Model):
    __tablename__ = "tokens"

    id: Mapped[BigIntPK]
    charge_id: Mapped[int] = owner_id("charges.id")
    secure_redirect_token: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    #: Copied from the charge's created_date, as the original does, so tokens die with the charge's age.
    created_date: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    used: Mapped[OffByDefault]
    version: Mapped[Version]
