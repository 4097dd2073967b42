"""The publisher: each consumer gets every event at least once, in order per payment, signed when external."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.events.consumers import ConsumerFailed, HttpSink
from connector.events.service import publish
from connector.models import Charge, OutboxEvent
from scripts.event_sink import serve_sink
from tests.factories import create_account, create_charge
from tests.jobs import Recorder, consumers_of, drain

S = ChargeStatus
JOURNEY = [S.ENTERING_CARD_DETAILS, S.AUTHORISATION_READY, S.AUTHORISATION_SUCCESS, S.CAPTURE_APPROVED]
JOURNEY_EVENTS = ["PAYMENT_STARTED", "AUTHORISATION_SUCCEEDED", "USER_APPROVED_FOR_CAPTURE"]


async def _walk(session: AsyncSession, charge: Charge, steps: list[ChargeStatus]) -> None:
    """One transaction per step, as the real journey commits them."""
    for step in steps:
        await transition(session, charge, step)
        await session.commit()
        await session.refresh(charge)


async def _unemitted(session: AsyncSession) -> list[str]:
    rows = await session.scalars(select(OutboxEvent.event_type).where(OutboxEvent.emitted_at.is_(None)))
    found = list(rows)
    await session.commit()
    return found


@pytest.mark.asyncio
async def test_a_failing_consumer_gets_every_event_again_in_order(
    connector_app: object, connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    await _walk(db_session, charge, JOURNEY)
    flaky, steady = Recorder(failures=2), Recorder()
    consumers = consumers_of(steady=steady, flaky=flaky)
    sessionmaker = connector_app.state.sessionmaker  # type: ignore[attr-defined]

    for _ in range(2):
        with pytest.raises(ConsumerFailed):
            await publish(sessionmaker, consumers, charge.external_id, batch_size=500)
        assert await _unemitted(db_session) == JOURNEY_EVENTS
    assert await publish(sessionmaker, consumers, charge.external_id, batch_size=500) == 3

    assert [e["event_type"] for e in flaky.events] == JOURNEY_EVENTS
    # The consumer that worked saw the batch each time: at least once, never out of order.
    assert [e["event_type"] for e in steady.events] == JOURNEY_EVENTS * 3
    assert await _unemitted(db_session) == []
    assert await publish(sessionmaker, consumers, charge.external_id, batch_size=500) == 0


@pytest.mark.asyncio
async def test_small_batches_keep_the_order(
    connector_app: object, connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    await _walk(db_session, charge, JOURNEY)
    recorder = Recorder()
    sessionmaker = connector_app.state.sessionmaker  # type: ignore[attr-defined]

    assert await publish(sessionmaker, consumers_of(r=recorder), charge.external_id, batch_size=2) == 3

    assert [len(batch) for batch in recorder.batches] == [2, 1]
    assert [e["event_type"] for e in recorder.events] == JOURNEY_EVENTS


@pytest.mark.asyncio
async def test_the_worker_delivers_signed_batches_to_the_external_sink(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await create_account(db_session)
    first = await create_charge(db_session, account)
    second = await create_charge(db_session, account)
    async with serve_sink(b"s3cret") as sink:
        await _walk(db_session, first, JOURNEY)
        await _walk(db_session, second, JOURNEY[:1])

        await drain(
            connector_settings,
            event_sink_url=sink.url,
            event_sink_secret=SecretStr("s3cret"),
        )

    assert sink.bad_signatures == 0
    # The approval's capture job ran too, and its events followed in order.
    assert sink.events_of(first.external_id) == [*JOURNEY_EVENTS, "CAPTURE_SUBMITTED", "CAPTURE_CONFIRMED"]
    assert sink.events_of(second.external_id) == ["PAYMENT_STARTED"]
    assert {e["gateway_account_id"] for e in sink.events} == {str(account.id)}
    assert await _unemitted(db_session) == []


@pytest.mark.asyncio
async def test_a_wrong_secret_is_refused_and_nothing_is_marked_emitted(
    connector_app: object,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    await _walk(db_session, charge, JOURNEY[:1])
    async with serve_sink(b"right") as sink, httpx.AsyncClient() as client:
        consumers = consumers_of(sink=HttpSink(client, sink.url, b"wrong"))
        sessionmaker = connector_app.state.sessionmaker  # type: ignore[attr-defined]
        with pytest.raises(ConsumerFailed):
            await publish(sessionmaker, consumers, charge.external_id, batch_size=500)

    assert (sink.bad_signatures, sink.events) == (1, [])
    assert await _unemitted(db_session) == ["PAYMENT_STARTED"]


@pytest.mark.asyncio
async def test_the_webhooks_sink_sends_each_payment_with_its_events(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await create_account(db_session)
    paid, started = await create_charge(db_session, account), await create_charge(db_session, account)
    async with serve_sink(b"s3cret") as sink:
        await _walk(db_session, paid, JOURNEY)
        await _walk(db_session, started, JOURNEY[:1])

        await drain(
            connector_settings, webhooks_events_url=sink.url, webhooks_events_secret=SecretStr("s3cret")
        )

    assert sink.events_of(paid.external_id)[:3] == JOURNEY_EVENTS
    assert set(sink.payments) == {paid.external_id, started.external_id}
    for charge in (paid, started):
        shown = await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
        view = shown.json()
        # As GET shows it, less the one-time token links that GET mints and a batch must not.
        view["links"] = [link for link in view["links"] if not link["rel"].startswith("next_url")]
        assert sink.payments[charge.external_id] == view
    assert sink.payments[paid.external_id]["state"]["status"] == "success"


@pytest.mark.asyncio
async def test_a_large_batch_goes_in_requests_of_a_hundred_events_in_order() -> None:
    messages = [
        {"resource_type": "payment", "resource_external_id": f"charge{n}", "event_type": "PAYMENT_CREATED"}
        for n in range(250)
    ]
    async with serve_sink(b"s3cret") as sink, httpx.AsyncClient() as client:
        await HttpSink(client, sink.url, b"s3cret")(messages)

    assert sink.sizes == [100, 100, 50]
    assert [e["resource_external_id"] for e in sink.events] == [m["resource_external_id"] for m in messages]
