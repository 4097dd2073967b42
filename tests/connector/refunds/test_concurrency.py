"""Concurrent refunds of one charge never refund more than was captured (connector.md §3.4, made safe)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.base import RefundRequest, RefundResult, RefundStatus
from connector.models import Refund
from connector.refunds import gateway
from tests.factories import create_account, create_charge

pytestmark = pytest.mark.asyncio

CONCURRENT = 20


async def refunded_total(session: AsyncSession, charge_id: str) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(Refund.amount), 0)).where(
            Refund.charge_external_id == charge_id, Refund.status != "REFUND ERROR"
        )
    )
    return int(total or 0)


async def fire(client: httpx.AsyncClient, url: str, bodies: list[dict[str, int]]) -> list[httpx.Response]:
    return list(await asyncio.gather(*(client.post(url, json=body) for body in bodies)))


async def test_same_full_refund_twenty_times_succeeds_once(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)
    url = f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds"

    responses = await fire(
        connector_client, url, [{"amount": 1000, "refund_amount_available": 1000}] * CONCURRENT
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [202] + [400] * (CONCURRENT - 1)
    # Every loser saw the refund the winner committed: the charge is fully refunded.
    assert {r.json()["reason"] for r in responses if r.status_code == 400} == {"full"}
    assert await refunded_total(db_session, charge.external_id) == 1000


async def test_same_precondition_twenty_times_only_one_passes(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)
    url = f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds"

    responses = await fire(
        connector_client, url, [{"amount": 300, "refund_amount_available": 1000}] * CONCURRENT
    )

    assert sorted(r.status_code for r in responses) == [202] + [412] * (CONCURRENT - 1)
    assert await refunded_total(db_session, charge.external_id) == 300


async def test_mixed_preconditions_never_over_refund(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    """Clients that guess every possible available amount: whatever the interleaving, at most 1000 goes out."""
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)
    url = f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds"
    bodies = [{"amount": 300, "refund_amount_available": 1000 - 300 * (i % 4)} for i in range(CONCURRENT)]

    responses = await fire(connector_client, url, bodies)

    accepted = [
        body["refund_amount_available"]
        for body, r in zip(bodies, responses, strict=True)
        if r.status_code == 202
    ]
    # Each accepted request named the amount truly available when it ran: the accepted
    # preconditions are a prefix of the chain 1000 → 700 → 400 (a 4th 300 never fits in 100).
    assert sorted(accepted, reverse=True) == [1000, 700, 400][: len(accepted)]
    assert len(accepted) >= 1
    assert await refunded_total(db_session, charge.external_id) == 300 * len(accepted) <= 1000
    for body, response in zip(bodies, responses, strict=True):
        assert response.status_code in (202, 400, 412)
        if response.status_code == 400:
            assert body["refund_amount_available"] == 100
            assert response.json()["reason"] == "amount_not_available"
    listed = (await connector_client.get(url)).json()["_embedded"]["refunds"]
    assert sum(r["amount"] for r in listed) == 300 * len(accepted)


async def test_charge_lock_is_not_held_while_the_gateway_is_called(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)
    lock_was_free: list[bool] = []

    class ProbingGateway:
        async def refund(self, request: RefundRequest) -> RefundResult:
            async with connector_app.state.sessionmaker() as probe:
                try:
                    await probe.execute(
                        text("SELECT id FROM charges WHERE external_id = :id FOR UPDATE NOWAIT"),
                        {"id": request.charge_external_id},
                    )
                    lock_was_free.append(True)
                except DBAPIError:
                    lock_was_free.append(False)
                await probe.rollback()
            return RefundResult(status=RefundStatus.COMPLETE, reference="ref")

    monkeypatch.setattr(gateway, "refund_gateway", lambda _provider: ProbingGateway())
    url = f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds"

    response = await connector_client.post(url, json={"amount": 100, "refund_amount_available": 1000})

    assert response.status_code == 202
    assert lock_was_free == [True]
