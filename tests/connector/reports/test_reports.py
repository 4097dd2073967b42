"""Transactions summary and performance reports against hand-computed figures."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import Refund
from tests.factories import create_account, create_charge

pytestmark = pytest.mark.asyncio

DAY = datetime(2018, 6, 21, 10, 0, tzinfo=UTC)
NEXT_DAY = datetime(2018, 6, 22, 0, 0, tzinfo=UTC)
BEFORE = datetime(2018, 6, 20, 23, 59, tzinfo=UTC)


async def add_refund(session: AsyncSession, charge_id: str, amount: int, status: str, when: datetime) -> None:
    session.add(
        Refund(
            external_id=f"r{charge_id[:20]}{amount:05d}",
            amount=amount,
            status=status,
            created_date=when,
            charge_external_id=charge_id,
        )
    )
    await session.commit()


async def test_transactions_summary(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await create_account(db_session)
    other = await create_account(db_session)
    paid = await create_charge(
        db_session, account, status=ChargeStatus.CAPTURED, amount=5000, created_date=DAY
    )
    await create_charge(
        db_session, account, status=ChargeStatus.CAPTURE_SUBMITTED, amount=500, created_date=DAY
    )
    await create_charge(db_session, account, status=ChargeStatus.EXPIRED, amount=7000, created_date=DAY)
    await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=9000, created_date=BEFORE)
    await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=9000, created_date=NEXT_DAY)
    await create_charge(db_session, other, status=ChargeStatus.CAPTURED, amount=3000, created_date=DAY)
    await add_refund(db_session, paid.external_id, 1000, "REFUNDED", DAY)
    await add_refund(db_session, paid.external_id, 300, "REFUND ERROR", DAY)
    await add_refund(db_session, paid.external_id, 200, "REFUNDED", NEXT_DAY)

    response = await connector_client.get(
        f"/v1/api/accounts/{account.id}/transactions-summary",
        params={"from_date": "2018-06-21T00:00:00Z", "to_date": "2018-06-22T00:00:00Z"},
    )

    assert response.status_code == 200
    assert response.json() == {
        "successful_payments": {"count": 2, "total_in_pence": 5500},
        "refunded_payments": {"count": 1, "total_in_pence": 1000},
        "net_income": {"total_in_pence": 4500},
    }


async def test_transactions_summary_validation(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    url = f"/v1/api/accounts/{account.id}/transactions-summary"

    missing = await connector_client.get(url)
    bad = await connector_client.get(url, params={"from_date": "2018-06-21T00:00:00Z", "to_date": "tomorrow"})
    unknown = await connector_client.get(
        "/v1/api/accounts/99999/transactions-summary",
        params={"from_date": "2018-06-21T00:00:00Z", "to_date": "2018-06-22T00:00:00Z"},
    )

    assert missing.status_code == 400
    assert missing.json()["message"][0].startswith("Invalid parameters: from_date, to_date.")
    assert bad.status_code == 400
    assert bad.json()["message"][0].startswith("Invalid parameters: to_date.")
    assert unknown.status_code == 404


async def arrange_live_and_test(session: AsyncSession) -> tuple[int, int]:
    live = await create_account(session, type="LIVE")
    live_two = await create_account(session, type="LIVE")
    idle_live = await create_account(session, type="LIVE")
    test = await create_account(session)
    for amount in (1000, 2000, 4001):
        await create_charge(session, live, status=ChargeStatus.CAPTURED, amount=amount, created_date=DAY)
    await create_charge(
        session, live, status=ChargeStatus.AUTHORISATION_REJECTED, amount=99999, created_date=DAY
    )
    await create_charge(session, live_two, status=ChargeStatus.CAPTURED, amount=500, created_date=BEFORE)
    await create_charge(session, idle_live, status=ChargeStatus.CREATED, amount=700, created_date=DAY)
    await create_charge(session, test, status=ChargeStatus.CAPTURED, amount=100000, created_date=DAY)
    return live.id, live_two.id


async def test_performance_report_counts_live_successful_payments(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await arrange_live_and_test(db_session)

    response = await connector_client.get("/v1/api/reports/performance-report")

    # 1000 + 2000 + 4001 + 500 = 7501 over 4 payments: 1875.25 → 1875.
    assert response.json() == {"total_volume": 4, "total_amount": 7501, "average_amount": 1875}


async def test_performance_report_with_no_payments(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.get("/v1/api/reports/performance-report")

    assert response.json() == {"total_volume": 0, "total_amount": 0, "average_amount": 0}


async def test_gateway_account_performance_report(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    live_id, live_two_id = await arrange_live_and_test(db_session)

    response = await connector_client.get("/v1/api/reports/gateway-account-performance-report")

    assert response.json() == {
        str(live_id): {
            "total_volume": 3,
            "total_amount": 7001,
            "average_amount": 2334,  # 2333.67
            "min_amount": 1000,
            "max_amount": 4001,
        },
        str(live_two_id): {
            "total_volume": 1,
            "total_amount": 500,
            "average_amount": 500,
            "min_amount": 500,
            "max_amount": 500,
        },
    }


async def test_daily_performance_report(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await arrange_live_and_test(db_session)
    url = "/v1/api/reports/daily-performance-report"

    day = await connector_client.get(url, params={"date": "2018-06-21T00:00:00Z"})
    plain = await connector_client.get(url, params={"date": "2018-06-21"})
    day_before = await connector_client.get(url, params={"date": "2018-06-20T12:00:00Z"})
    missing = await connector_client.get(url)
    bad = await connector_client.get(url, params={"date": "21/06/2018"})

    assert day.json() == {"total_volume": 3, "total_amount": 7001, "average_amount": 2334}
    assert plain.json() == day.json()
    assert day_before.json() == {"total_volume": 1, "total_amount": 500, "average_amount": 500}
    assert missing.status_code == 400
    assert bad.status_code == 400
    assert bad.json() == {
        "error_identifier": "GENERIC",
        "message": ["Invalid parameters: date. See Public API documentation for the correct data formats"],
    }
