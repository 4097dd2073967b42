"""Rows the seed examples assume exist: accounts with the seeds' numeric ids, tokens, refunds."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, EmailNotification, GatewayAccount, Refund, Token
from tests.factories import create_account


async def seed_account(session: AsyncSession, account_id: int, **fields: Any) -> GatewayAccount:
    """An account with the id the seed's path names, and both email-notification rows (as every
    account created through ``POST /v1/api/accounts`` has)."""
    account = await create_account(session, id=account_id, **fields)
    for kind in ("PAYMENT_CONFIRMED", "REFUND_ISSUED"):
        session.add(EmailNotification(account_id=account.id, type=kind, enabled=True, version=1))
    await session.commit()
    return account


async def seed_token(session: AsyncSession, charge: Charge, token_id: str, *, used: bool = False) -> None:
    session.add(
        Token(
            charge_id=charge.id, secure_redirect_token=token_id, created_date=charge.created_date, used=used
        )
    )
    await session.commit()


async def seed_refund(
    session: AsyncSession,
    charge: Charge,
    refund_id: str,
    *,
    amount: int,
    status: str = "REFUNDED",
    user_external_id: str | None = None,
    created_date: datetime | None = None,
) -> None:
    refund = Refund(
        external_id=refund_id,
        amount=amount,
        status=status,
        user_external_id=user_external_id,
        charge_external_id=charge.external_id,
    )
    if created_date is not None:
        refund.created_date = created_date
    session.add(refund)
    await session.commit()
