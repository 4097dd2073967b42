"""Queries behind the queue gauges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import Charge

#: Charges waiting for the capture worker.
CAPTURE_QUEUE = (ChargeStatus.CAPTURE_APPROVED.value, ChargeStatus.CAPTURE_APPROVED_RETRY.value)


@dataclass(frozen=True)
class QueueState:
    depth: int
    oldest: datetime | None


async def capture_queue(session: AsyncSession) -> QueueState:
    row = (
        await session.execute(
            select(func.count(), func.min(Charge.updated_date)).where(Charge.status.in_(CAPTURE_QUEUE))
        )
    ).one()
    return QueueState(depth=int(row[0]), oldest=row[1])
