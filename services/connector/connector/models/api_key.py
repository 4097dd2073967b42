"""API keys for the public API (api-keys.md): only a hash of each key's token is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from connector.models._types import BigIntPK, owner_id
from pay_common.db.base import Model


class ApiKey(Model):
    __tablename__ = "api_keys"

    id: Mapped[BigIntPK]
    #: SHA-256 hex of the token part of the key (pay_common.api_keys.token_hash); never the token.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    #: Public identifier of the key (a UUID), used to describe and revoke it.
    token_link: Mapped[str] = mapped_column(String(36), unique=True, nullable=False)
    account_id: Mapped[int] = owner_id("gateway_accounts.id")
    description: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str | None] = mapped_column(Text)
    token_type: Mapped[str] = mapped_column(String(20), nullable=False, server_default="CARD")
    issued_date: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    last_used: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
