"""Transactions summary and the performance reports (seed 001)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Request

from connector.accounts.dependencies import path_account
from connector.postgres import SessionDep
from connector.reports import repository
from connector.search.schemas import InvalidSearchParameters, parse_zoned_datetime

router = APIRouter(tags=["reports"])


def required_dates(request: Request, *names: str) -> list[datetime]:
    """Each named parameter as a zoned date-time; a 400 naming every missing or bad one."""
    values = [parse_zoned_datetime(request.query_params.get(name, "").strip()) for name in names]
    bad = [name for name, value in zip(names, values, strict=True) if value is None]
    if bad:
        raise InvalidSearchParameters(bad)
    return [value for value in values if value is not None]


def report_day(raw: str) -> date | None:
    """``date`` is an ISO date-time with zone (``2018-06-21T00:00:00Z``) or a plain ``2018-06-21``."""
    parsed = parse_zoned_datetime(raw)
    if parsed is not None:
        return parsed.astimezone(UTC).date()
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def performance(totals: repository.Totals) -> dict[str, int]:
    return {"total_volume": totals.count, "total_amount": totals.total, "average_amount": totals.average}


@router.get("/v1/api/accounts/{account_id}/transactions-summary")
async def transactions_summary(account_id: str, request: Request, session: SessionDep) -> dict[str, Any]:
    start, end = required_dates(request, "from_date", "to_date")
    # The dates are checked first: a bad query is 400 whichever account it names.
    account = await path_account(account_id, session)
    paid = await repository.successful_payments(session, account.id, start, end)
    refunded = await repository.refunded_payments(session, account.id, start, end)
    return {
        "successful_payments": {"count": paid.count, "total_in_pence": paid.total},
        "refunded_payments": {"count": refunded.count, "total_in_pence": refunded.total},
        "net_income": {"total_in_pence": paid.total - refunded.total},
    }


@router.get("/v1/api/reports/performance-report")
async def performance_report(session: SessionDep) -> dict[str, int]:
    return performance(await repository.live_totals(session))


@router.get("/v1/api/reports/gateway-account-performance-report")
async def gateway_account_performance_report(session: SessionDep) -> dict[str, dict[str, int]]:
    by_account = await repository.live_totals_by_account(session)
    return {
        str(account_id): {**performance(totals), "min_amount": totals.minimum, "max_amount": totals.maximum}
        for account_id, totals in by_account.items()
    }


@router.get("/v1/api/reports/daily-performance-report")
async def daily_performance_report(request: Request, session: SessionDep) -> dict[str, int]:
    day = report_day(request.query_params.get("date", "").strip())
    if day is None:
        raise InvalidSearchParameters(["date"])
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return performance(await repository.live_totals(session, start, start + timedelta(days=1)))
