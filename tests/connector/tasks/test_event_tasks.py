"""The seed's event task endpoints: emitted-events sweep, historical emitters, gateway clean-up."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.models import Charge, OutboxEvent
from pay_common.db.base import utc_now
from tests.factories import create_account, create_charge
from tests.jobs import Recorder, consumers_of, drain, jobs_of

S = ChargeStatus


async def _started_charge(session: AsyncSession) -> Charge:
    charge = await create_charge(session, await create_account(session))
    await transition(session, charge, S.ENTERING_CARD_DETAILS)
    await session.commit()
    return charge


async def _clear_jobs(session: AsyncSession) -> None:
    await session.execute(text("DELETE FROM procrastinate_jobs"))
    await session.commit()


async def _outbox(session: AsyncSession) -> list[tuple[str, bool]]:
    rows = await session.execute(
        select(OutboxEvent.event_type, OutboxEvent.emitted_at).order_by(OutboxEvent.id)
    )
    found = [(row.event_type, row.emitted_at is not None) for row in rows]
    await session.commit()
    return found


@pytest.mark.asyncio
async def test_emitted_events_sweep_resends_old_unemitted_events_only(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    old, recent = await _started_charge(db_session), await _started_charge(db_session)
    await db_session.execute(
        update(OutboxEvent)
        .where(OutboxEvent.resource_external_id == old.external_id)
        .values(event_date=utc_now() - timedelta(hours=1))
    )
    await db_session.commit()
    await _clear_jobs(db_session)  # as if the publish jobs were lost

    response = await connector_client.post("/v1/tasks/emitted-events-sweep")

    assert (response.status_code, response.content) == (200, b"")
    assert [job.args for job in await jobs_of(db_session, jobs.PUBLISH_EVENTS)] == [
        {"ordering_key": old.external_id}
    ]
    again = await connector_client.post("/v1/tasks/emitted-events-sweep")  # held back now
    assert again.status_code == 200
    assert len(await jobs_of(db_session, jobs.PUBLISH_EVENTS)) == 1
    recorder = Recorder()
    await drain(connector_settings, consumers_of(r=recorder))
    # The sweep's job sends the old event; the recent one, pending but not stale, is the
    # publisher's (its turn after the jobs), as its commit's notification would have had it sent.
    assert [(e["resource_external_id"], e["event_type"]) for e in recorder.events] == [
        (old.external_id, "PAYMENT_STARTED"),
        (recent.external_id, "PAYMENT_STARTED"),
    ]


@pytest.mark.asyncio
async def test_historical_event_emitter_rebuilds_missing_events_by_id(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    first, second = await _started_charge(db_session), await _started_charge(db_session)
    await db_session.execute(delete(OutboxEvent))  # a consumer to rebuild, events the outbox never had
    await db_session.commit()
    await _clear_jobs(db_session)

    response = await connector_client.post(f"/tasks/historical-event-emitter?start_id={second.id}")

    assert (response.status_code, response.content) == (200, b"")
    recorder = Recorder()
    await drain(connector_settings, consumers_of(r=recorder))
    assert [(e["resource_external_id"], e["event_type"]) for e in recorder.events] == [
        (second.external_id, "PAYMENT_STARTED")
    ]
    # Emitted before: not emitted again.
    await connector_client.post("/v1/tasks/historical-event-emitter?start_id=0")
    await drain(connector_settings, consumers_of(r=recorder))
    assert [e["resource_external_id"] for e in recorder.events] == [second.external_id, first.external_id]


@pytest.mark.asyncio
async def test_historical_event_emitter_by_date(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await _started_charge(db_session)
    await db_session.execute(delete(OutboxEvent))
    await db_session.commit()
    start = (utc_now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (utc_now() + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")

    response = await connector_client.post(
        f"/tasks/historical-event-emitter-by-date?start_date={start}&end_date={end}&do_not_retry_emit_until=600"
    )

    assert (response.status_code, response.content) == (200, b"")
    await drain(connector_settings, consumers_of(r=Recorder()))
    assert await _outbox(db_session) == [("PAYMENT_STARTED", True)]
    del charge


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query",
    ["", "?start_date=2016-01-25T13:23:55Z", "?start_date=yesterday&end_date=2016-01-25T13:23:55Z"],
)
async def test_historical_event_emitter_by_date_needs_both_dates(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, query: str
) -> None:
    response = await connector_client.post(f"/tasks/historical-event-emitter-by-date{query}")
    assert response.status_code == 400
    assert await jobs_of(db_session) == []


@pytest.mark.asyncio
async def test_historical_event_emitter_refuses_an_unknown_record_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await connector_client.post("/tasks/historical-event-emitter?record_type=payout")
    assert response.status_code == 400
    assert await jobs_of(db_session) == []


@pytest.mark.asyncio
async def test_gateway_cleanup_sweep_answers_as_documented(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.post("/v1/tasks/gateway-cleanup-sweep?limit=50")
    assert response.status_code == 200
    assert response.json() == {"cleanup-success": 0, "cleanup-failed": 0}
    assert (await connector_client.post("/v1/tasks/gateway-cleanup-sweep")).status_code == 400
