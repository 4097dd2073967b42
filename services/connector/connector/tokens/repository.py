"""Queries of the one-time secure-redirect tokens (connector.md §5.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, Token
from pay_common.db.base import utc_now
from pay_common.ids import new_uuid


async def create_for_charge(session: AsyncSession, charge: Charge) -> Token:
    """A new unused token for ``charge``; its created_date is the charge's (tokens die with the charge's age)."""
    token = Token(
        charge_id=charge.id,
        secure_redirect_token=new_uuid(),
        created_date=charge.created_date,
        used=False,
    )
    session.add(token)
    await session.flush()
    return token


async def get_with_charge(session: AsyncSession, token_id: str) -> tuple[Token, Charge] | None:
    row = (
        await session.execute(
            select(Token, Charge)
            .join(Charge, Charge.id == Token.charge_id)
            .where(Token.secure_redirect_token == token_id)
        )
    ).one_or_none()
    return None if row is None else (row[0], row[1])


async def mark_used(session: AsyncSession, token_id: str) -> bool:
    """Set ``used`` if it is not set yet; True only for the one caller that flipped it.

    The ``used = false`` guard makes the UPDATE the arbiter: concurrent callers queue on the
    row lock, and every one after the winner re-checks the guard and matches no row.
    """
    result = await session.execute(
        update(Token)
        .where(Token.secure_redirect_token == token_id, Token.used.is_(False))
        .values(used=True, version=Token.version + 1)
        .returning(Token.id)
    )
    return result.first() is not None


@dataclass(frozen=True)
class TokenState:
    charge_id: int
    used: bool


async def find(session: AsyncSession, token_id: str) -> TokenState | None:
    """The token's charge and ``used`` flag as committed now (a plain read, never the
    session's cached object: callers read it again once they hold the charge's lock)."""
    row = (
        await session.execute(
            select(Token.charge_id, Token.used).where(Token.secure_redirect_token == token_id)
        )
    ).one_or_none()
    return None if row is None else TokenState(charge_id=row.charge_id, used=row.used)


async def use_all_of_charge(session: AsyncSession, charge_id: int) -> int:
    """Mark every unused token of the charge used (the caller holds the charge's row lock);
    return how many changed."""
    result = await session.execute(
        update(Token)
        .where(Token.charge_id == charge_id, Token.used.is_(False))
        .values(used=True, version=Token.version + 1)
        .returning(Token.id)
    )
    return len(result.all())


async def exists(session: AsyncSession, token_id: str) -> bool:
    return await session.scalar(select(Token.id).where(Token.secure_redirect_token == token_id)) is not None


async def delete_token(session: AsyncSession, token_id: str) -> None:
    await session.execute(delete(Token).where(Token.secure_redirect_token == token_id))


async def delete_older_than(session: AsyncSession, cutoff: datetime) -> int:
    """Delete every token (used or not) created before ``cutoff``; return how many went."""
    result = await session.execute(delete(Token).where(Token.created_date < cutoff).returning(Token.id))
    return len(result.all())


async def delete_expired_tokens(
    session: AsyncSession, *, window_seconds: int, now: datetime | None = None
) -> int:
    """The expiry sweep's step: delete tokens older than ``window_seconds``
    (``settings.token_expiry_window_seconds``, 7 days by default); return the count."""
    return await delete_older_than(session, (now or utc_now()) - timedelta(seconds=window_seconds))
