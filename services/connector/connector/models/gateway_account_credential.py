"""Credentials for one payment provider on one account, with their own lifecycle state.

States: CREATED, ENTERED, VERIFIED_WITH_LIVE_PAYMENT, ACTIVE, RETIRED (connector.md §14).
Charge creation refuses an account whose current credential is still CREATED.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, CreatedAt, Version, owner_id
from pay_common.db.base import Model


class GatewayAccountCredential(Model):
    __tablename__ = "gateway_account_credentials"

    id: Mapped[BigIntPK]
    external_id: Mapped[str] = mapped_column(String(32), unique=True, nullable=False)
    gateway_account_id: Mapped[int] = owner_id("gateway_accounts.id")
    payment_provider: Mapped[str] = mapped_column(String(255), nullable=False)
    #: Provider secrets. Never serialised with a password and never logged.
    credentials: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, server_default="{}")
    state: Mapped[str] = mapped_column(String(50), nullable=False)
    active_start_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    active_end_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_updated_by_user_external_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[CreatedAt]
    version: Mapped[Version]
