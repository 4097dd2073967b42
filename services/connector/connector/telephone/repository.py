"""Queries of telephone payment notifications."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge


async def charge_of_provider_id(session: AsyncSession, account_id: int, provider_id: str) -> Charge | None:
    """The account's charge already recorded for this provider payment id (the idempotency key)."""
    return await session.scalar(
        select(Charge).where(Charge.gateway_account_id == account_id, Charge.provider_id == provider_id)
    )
