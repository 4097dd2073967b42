"""Seeds 000/001: the expiry sweep task and the performance / transactions-summary reports.

The reports' example figures are placeholders (an average of 1 for 12345 payments totalling 12345
pence is not a real report); the rows are arranged so every figure is known and compared exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus as S
from tests.connector.seed_examples.arrange import seed_account, seed_refund
from tests.connector.seed_examples.expect import assert_answers
from tests.factories import create_charge


@pytest.mark.asyncio
async def test_expired_charges_sweep(connector_client: httpx.AsyncClient) -> None:
    """Seeds 000 and 001: nothing to expire."""
    response = await connector_client.post("/v1/tasks/expired-charges-sweep")

    assert_answers(response, 200, {"expiry-success": 0, "expiry-failed": 0})


async def _live_payments(session: AsyncSession, when: datetime) -> None:
    account = await seed_account(session, 1, type="LIVE")
    for amount in (1, 9, 20):
        await create_charge(session, account, amount=amount, status=S.CAPTURED, created_date=when)
    await create_charge(session, account, amount=500, status=S.AUTHORISATION_REJECTED, created_date=when)


TOTALS = {"total_volume": 3, "total_amount": 30, "average_amount": 10}


@pytest.mark.asyncio
async def test_performance_report(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    await _live_payments(db_session, datetime(2018, 6, 21, 10, tzinfo=UTC))

    response = await connector_client.get("/v1/api/reports/performance-report")

    assert_answers(response, 200, TOTALS)


@pytest.mark.asyncio
async def test_gateway_account_performance_report(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await _live_payments(db_session, datetime(2018, 6, 21, 10, tzinfo=UTC))
    await create_charge(
        db_session, await seed_account(db_session, 2), status=S.CAPTURED
    )  # test: not reported

    response = await connector_client.get("/v1/api/reports/gateway-account-performance-report")

    assert_answers(response, 200, {"1": {**TOTALS, "min_amount": 1, "max_amount": 20}})
    assert list(response.json()) == ["1"]


@pytest.mark.asyncio
async def test_daily_performance_report(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await _live_payments(db_session, datetime(2018, 6, 21, 10, tzinfo=UTC))
    account = await seed_account(db_session, 3, type="LIVE")
    await create_charge(
        db_session, account, status=S.CAPTURED, created_date=datetime(2018, 6, 22, 1, tzinfo=UTC)
    )

    response = await connector_client.get(
        "/v1/api/reports/daily-performance-report?date=2018-06-21T00:00:00Z"
    )

    assert_answers(response, 200, TOTALS)


@pytest.mark.asyncio
async def test_transactions_summary(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    """Seed 001's figures exactly: 10 payments of £55, 2 of them refunded in full."""
    account = await seed_account(db_session, 123)
    in_range = datetime(2017, 11, 5, 12, tzinfo=UTC)
    charges = [
        await create_charge(db_session, account, amount=5500, status=S.CAPTURED, created_date=in_range)
        for _ in range(10)
    ]
    await create_charge(
        db_session, account, amount=5500, status=S.CAPTURED, created_date=datetime(2017, 11, 11, tzinfo=UTC)
    )
    for index, charge in enumerate(charges[:2]):
        await seed_refund(db_session, charge, f"refund{index}", amount=5500, created_date=in_range)

    response = await connector_client.get(
        "/v1/api/accounts/123/transactions-summary?from_date=2017-11-03T00:00:00Z&to_date=2017-11-10T00:00:00Z"
    )

    assert_answers(
        response,
        200,
        {
            "successful_payments": {"count": 10, "total_in_pence": 55000},
            "refunded_payments": {"count": 2, "total_in_pence": 11000},
            "net_income": {"total_in_pence": 44000},
        },
    )
