"""Database access for API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import ApiKey, GatewayAccount


async def account_exists(session: AsyncSession, account_id: int) -> bool:
    found = await session.scalar(select(GatewayAccount.id).where(GatewayAccount.id == account_id))
    return found is not None


async def find_by_token_hash(session: AsyncSession, token_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.token_hash == token_hash))


async def touch_last_used(session: AsyncSession, key_id: int, now: datetime, every: timedelta) -> None:
    """Record a use, at most once per ``every`` per key, so hot keys do not write on each call."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where(or_(ApiKey.last_used.is_(None), ApiKey.last_used < now - every))
        .values(last_used=now)
    )


async def list_for_account(session: AsyncSession, account_id: int, *, revoked: bool) -> Sequence[ApiKey]:
    state = ApiKey.revoked.is_not(None) if revoked else ApiKey.revoked.is_(None)
    query = (
        select(ApiKey)
        .where(ApiKey.account_id == account_id, state)
        .order_by(ApiKey.issued_date.desc(), ApiKey.id.desc())
    )
    return (await session.scalars(query)).all()


async def find_active_by_link(session: AsyncSession, token_link: str) -> ApiKey | None:
    query = select(ApiKey).where(ApiKey.token_link == token_link, ApiKey.revoked.is_(None))
    return await session.scalar(query.with_for_update())


async def find_active_for_account(session: AsyncSession, account_id: int, token_link: str) -> ApiKey | None:
    query = select(ApiKey).where(
        ApiKey.account_id == account_id, ApiKey.token_link == token_link, ApiKey.revoked.is_(None)
    )
    return await session.scalar(query.with_for_update())
