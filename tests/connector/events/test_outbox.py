"""Every event written by a state change has its outbox row iff the change commits, and wakes the publisher."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.charges.service import transition
from connector.charges.state import TRANSITIONS, ChargeStatus
from connector.config import Settings
from connector.events.repository import CHANNEL
from connector.events.service import message_of
from connector.models import OutboxEvent
from pay_common.jobs import conninfo
from tests.factories import create_account, create_charge
from tests.jobs import jobs_of

S = ChargeStatus
EMITTING_EDGES = [
    (source, target, event) for source, target, event in TRANSITIONS if event and source != S.UNDEFINED
]


async def _rows(session: AsyncSession, resource_external_id: str) -> list[OutboxEvent]:
    rows = await session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.resource_external_id == resource_external_id)
        .order_by(OutboxEvent.id)
    )
    found = list(rows)
    await session.commit()
    return found


@pytest.mark.asyncio
async def test_each_emitting_transition_writes_its_row_iff_it_commits(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    for source, target, event in EMITTING_EDGES:
        charge = await create_charge(db_session, account, status=source)
        charge_id = charge.external_id

        await transition(db_session, charge, target)
        await db_session.rollback()
        assert await _rows(db_session, charge_id) == [], (source, target)

        await db_session.refresh(charge)
        await transition(db_session, charge, target)
        await db_session.commit()
        await db_session.refresh(account)
        assert [row.event_type for row in await _rows(db_session, charge_id)] == [event], (source, target)

    # No job per transaction: the rows are the queue, and their commit wakes the publisher.
    assert await jobs_of(db_session, jobs.PUBLISH_EVENTS) == []


@pytest.mark.asyncio
async def test_ready_steps_write_no_event(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.ENTERING_CARD_DETAILS)
    await transition(db_session, charge, S.AUTHORISATION_READY)
    await db_session.commit()
    assert await _rows(db_session, charge.external_id) == []


def _create_body(**extra: Any) -> dict[str, Any]:
    return {
        "amount": 2500,
        "description": "Pay your council tax",
        "reference": "CT-1",
        "return_url": "https://example.org/r",
        **extra,
    }


@pytest.mark.asyncio
async def test_a_created_charge_emits_payment_created_in_the_message_format(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges", json=_create_body(metadata={"ledger_code": 42})
    )
    assert response.status_code == 201
    charge_id = response.json()["charge_id"]

    [row] = await _rows(db_session, charge_id)
    message = message_of(row)

    assert message["resource_type"] == "payment"
    assert message["resource_external_id"] == charge_id
    assert message["event_type"] == "PAYMENT_CREATED"
    assert message["service_id"] == account.service_id
    assert message["live"] is False
    assert message["gateway_account_id"] == str(account.id)
    assert "parent_resource_external_id" not in message  # null members are omitted
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", message["timestamp"])  # microseconds
    details = message["event_details"]
    assert details["amount"] == 2500
    assert details["reference"] == "CT-1"
    assert details["live"] is False
    assert details["gateway_account_id"] == str(account.id)
    assert details["external_metadata"] == {"ledger_code": 42}
    assert "email" not in details


@pytest.mark.asyncio
async def test_a_rejected_charge_creation_writes_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges", json=_create_body(amount=-1)
    )
    assert response.status_code in (400, 422)
    assert await db_session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    assert await jobs_of(db_session) == []


@pytest.mark.asyncio
async def test_refund_events_carry_their_payment_as_parent(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURED, amount=5000)
    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds",
        json={"amount": 1000, "refund_amount_available": 5000},
    )
    assert response.status_code == 202, response.text
    refund_id = response.json()["refund_id"]

    rows = await _rows(db_session, refund_id)

    assert [row.event_type for row in rows] == [
        "REFUND_CREATED_BY_SERVICE",
        "REFUND_SUBMITTED",
        "REFUND_SUCCEEDED",
    ]
    assert {(row.resource_type, row.parent_resource_external_id, row.ordering_key) for row in rows} == {
        ("refund", charge.external_id, charge.external_id)
    }
    assert rows[0].event_details == {"amount": 1000, "gateway_account_id": str(account.id)}


@pytest.mark.asyncio
async def test_a_committed_event_notifies_the_publishers_and_a_rolled_back_one_does_not(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.CREATED)
    notified: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(conninfo(connector_settings.database_url))
    try:
        await listener.add_listener(CHANNEL, lambda *args: notified.put_nowait(args[2]))

        await transition(db_session, charge, S.ENTERING_CARD_DETAILS)
        await db_session.rollback()
        await db_session.refresh(charge)
        await transition(db_session, charge, S.EXPIRED)
        await db_session.commit()
        # One notification, the commit's; its transaction wrote the only row.
        assert await asyncio.wait_for(notified.get(), timeout=30) == CHANNEL
        await listener.fetchval("SELECT 1")  # a round trip: anything sent before is taken by now
        assert notified.empty()
        assert [row.event_type for row in await _rows(db_session, charge.external_id)] == ["PAYMENT_EXPIRED"]
    finally:
        await listener.close()
