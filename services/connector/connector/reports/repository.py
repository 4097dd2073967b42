"""Aggregates over successful payments and refunds for the reports (seed 001)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import statuses_for_external
from connector.models import Charge, GatewayAccount, Refund
from connector.refunds.state import RefundStatus

#: A payment is successful once its external state is ``success`` (captured or about to be).
SUCCESS_STATUSES = sorted(status.value for status in statuses_for_external("success"))


@dataclass(frozen=True)
class Totals:
    count: int
    total: int
    minimum: int = 0
    maximum: int = 0

    @property
    def average(self) -> int:
        """Average in whole pence, half rounded up; 0 when there is nothing to average."""
        return (2 * self.total + self.count) // (2 * self.count) if self.count else 0


def _period(
    column: ColumnElement[datetime], start: datetime | None, end: datetime | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(column >= start)
    if end is not None:
        conditions.append(column < end)
    return conditions


async def successful_payments(
    session: AsyncSession, account_id: int, start: datetime, end: datetime
) -> Totals:
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Charge.amount), 0)).where(
                Charge.gateway_account_id == account_id,
                Charge.status.in_(SUCCESS_STATUSES),
                *_period(Charge.created_date.expression, start, end),
            )
        )
    ).one()
    return Totals(count=int(row[0]), total=int(row[1]))


async def refunded_payments(session: AsyncSession, account_id: int, start: datetime, end: datetime) -> Totals:
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Refund.amount), 0))
            .join(Charge, Charge.external_id == Refund.charge_external_id)
            .where(
                Charge.gateway_account_id == account_id,
                Refund.status == RefundStatus.REFUNDED.value,
                *_period(Refund.created_date.expression, start, end),
            )
        )
    ).one()
    return Totals(count=int(row[0]), total=int(row[1]))


def _live_successful() -> list[ColumnElement[bool]]:
    return [GatewayAccount.type == "LIVE", Charge.status.in_(SUCCESS_STATUSES)]


async def live_totals(
    session: AsyncSession, start: datetime | None = None, end: datetime | None = None
) -> Totals:
    row = (
        await session.execute(
            select(func.count(), func.coalesce(func.sum(Charge.amount), 0))
            .join(GatewayAccount, GatewayAccount.id == Charge.gateway_account_id)
            .where(*_live_successful(), *_period(Charge.created_date.expression, start, end))
        )
    ).one()
    return Totals(count=int(row[0]), total=int(row[1]))


async def live_totals_by_account(session: AsyncSession) -> dict[int, Totals]:
    rows = await session.execute(
        select(
            Charge.gateway_account_id,
            func.count(),
            func.sum(Charge.amount),
            func.min(Charge.amount),
            func.max(Charge.amount),
        )
        .join(GatewayAccount, GatewayAccount.id == Charge.gateway_account_id)
        .where(*_live_successful())
        .group_by(Charge.gateway_account_id)
        .order_by(Charge.gateway_account_id)
    )
    return {
        account_id: Totals(count=int(count), total=int(total), minimum=int(low), maximum=int(high))
        for account_id, count, total, low, high in rows
    }
