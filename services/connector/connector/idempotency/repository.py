"""The ``idempotency`` table: one row per (account, key), unique, naming the charge it created."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Idempotency


async def find(session: AsyncSession, account_id: int, key: str) -> Idempotency | None:
    return await session.scalar(
        select(Idempotency).where(Idempotency.gateway_account_id == account_id, Idempotency.key == key)
    )


async def insert_unless_taken(
    session: AsyncSession, account_id: int, key: str, request_body: dict[str, Any], charge_external_id: str
) -> bool:
    """Insert the row; False when the key is already taken. A concurrent insert of the same key
    makes this wait for that transaction: once it commits, the key counts as taken."""
    inserted = await session.scalar(
        insert(Idempotency)
        .values(
            gateway_account_id=account_id,
            key=key,
            request_body=request_body,
            resource_external_id=charge_external_id,
        )
        .on_conflict_do_nothing(index_elements=[Idempotency.gateway_account_id, Idempotency.key])
        .returning(Idempotency.id)
    )
    return inserted is not None


async def delete_one(session: AsyncSession, row_id: int) -> None:
    await session.execute(delete(Idempotency).where(Idempotency.id == row_id))


async def delete_older_than(session: AsyncSession, cutoff: datetime) -> int:
    """The expiry sweep's housekeeping: rows created before ``cutoff``; how many went."""
    result = await session.execute(delete(Idempotency).where(Idempotency.created_date < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
