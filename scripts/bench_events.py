"""Events and job benchmark: commit → consumer lag under a paced load, and capture drain rate per worker.

Run: ``.venv/bin/python -m scripts.bench_events`` (``make bench`` runs it too). Knobs:
``BENCH_EVENTS_RATE`` (payments/s, default 100), ``BENCH_EVENTS_SECONDS`` (default 20),
``BENCH_EVENTS_DRAIN`` (charges per drain run, default 1000).

A dedicated database is created on the server ``find_test_server()`` picks and migrated; the
workers are real ``connector.worker`` processes (forked from one pre-imported parent, see
``scripts.chaos_workers.Workers``) delivering to a signed HTTP sink served by this process.

1. **Lag**: two workers run while payments are created and captured at a paced rate: per
   payment three transactions as the journey commits them (created; card details →
   authorised; approved for capture) and the worker's capture (submitted, confirmed), six
   events in all. Lag = sink receipt time − the event's timestamp (taken in the transaction,
   just before its commit), p50/p99 over every event.
2. **Drain**: ``BENCH_EVENTS_DRAIN`` charges approved for capture with no worker running;
   then one worker (later two) starts and the time until every charge is CAPTURED gives
   captures/s (each capture's events are published by the same workers meanwhile).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import asyncpg

from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.migrate import upgrade_async
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.embedded import create_database, drop_database, with_database
from pay_common.testing.database import find_test_server
from scripts.chaos_workers import SECRET, Workers, base_worker_env, create_account, dsn, new_charge, ready
from scripts.event_sink import EventSink, serve_sink

S = ChargeStatus
RATE = float(os.environ.get("BENCH_EVENTS_RATE", "100"))
SECONDS = float(os.environ.get("BENCH_EVENTS_SECONDS", "20"))
DRAIN = int(os.environ.get("BENCH_EVENTS_DRAIN", "1000"))


async def pay(sessionmaker: Any, account_id: int, *, capture: bool = True) -> str:
    """One payment's own transactions: created; started → authorised; approved for capture."""
    async with sessionmaker() as session:
        charge = new_charge(account_id, S.UNDEFINED)
        session.add(charge)
        await session.flush()
        await transition(session, charge, S.CREATED)
        await session.commit()
        for steps in (
            [S.ENTERING_CARD_DETAILS, S.AUTHORISATION_READY, S.AUTHORISATION_SUCCESS],
            [S.CAPTURE_APPROVED],
        ):
            if steps[0] == S.CAPTURE_APPROVED and not capture:
                break
            for step in steps:
                await transition(session, charge, step)
            await session.commit()
        external_id: str = charge.external_id
        return external_id


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def lags(sink: EventSink) -> list[float]:
    return [
        received - datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
        for event, received in zip(sink.events, sink.received_at, strict=True)
    ]


POOL = 30


async def warm_up(engine: Any) -> None:
    """Open the load generator's connections before the clock starts (each costs ms of CPU)."""
    connections = [await engine.connect() for _ in range(POOL)]
    for connection in connections:
        await connection.close()


async def paced_load(sessionmaker: Any, account_id: int, rate: float, seconds: float) -> tuple[int, float]:
    """Start one payment every 1/rate s (not flat out); returns how many and the rate achieved.

    At most ``POOL`` payments are in flight: when the database falls behind, the rate achieved
    drops below the target instead of piling up connections.
    """
    started = time.monotonic()
    tasks: list[asyncio.Task[str]] = []
    total = int(rate * seconds)
    slots = asyncio.Semaphore(POOL)

    async def one() -> str:
        async with slots:
            return await pay(sessionmaker, account_id)

    for i in range(total):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    return total, total / (time.monotonic() - started)


async def wait_until(connection: asyncpg.Connection, query: str, timeout: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if await connection.fetchval(query):
            break
        await asyncio.sleep(0.1)
    return time.monotonic() - started


ALL_EMITTED = "SELECT NOT EXISTS (SELECT 1 FROM outbox_events WHERE emitted_at IS NULL)"
ALL_CAPTURED = "SELECT NOT EXISTS (SELECT 1 FROM charges WHERE status <> 'CAPTURED')"
SETTLED = f"SELECT ({ALL_EMITTED[7:]}) AND ({ALL_CAPTURED[7:]})"
JOURNEY = [
    "PAYMENT_CREATED",
    "PAYMENT_STARTED",
    "AUTHORISATION_SUCCEEDED",
    "USER_APPROVED_FOR_CAPTURE",
    "CAPTURE_SUBMITTED",
    "CAPTURE_CONFIRMED",
]


def out_of_order(sink: EventSink) -> int:
    """Payments that got an event before the one the journey puts before it, or not all six
    (a repeat of an earlier event is allowed: at least once)."""
    reached: dict[str, int] = {}
    bad: set[str] = set()
    for event in sink.events:
        payment, step = event["resource_external_id"], JOURNEY.index(event["event_type"])
        if step > reached.get(payment, -1) + 1:
            bad.add(payment)
        reached[payment] = max(step, reached.get(payment, -1))
    return len(bad | {payment for payment, step in reached.items() if step != len(JOURNEY) - 1})


async def lag_run(
    url: str, sessionmaker: Any, connection: asyncpg.Connection, account_id: int
) -> dict[str, Any]:
    async with serve_sink(SECRET.encode()) as sink:
        workers = Workers(base_worker_env(url, sink.url), os.devnull)
        try:
            workers.start()
            workers.start()
            await ready(connection, 2)
            payments, achieved = await paced_load(sessionmaker, account_id, RATE, SECONDS)
            # Every capture done and every event sent (the last captures' events come after).
            settle = await wait_until(connection, SETTLED)
        finally:
            workers.stop()
        measured = lags(sink)
        order = out_of_order(sink)
    return {
        "payments": payments,
        "payments_per_s_achieved": round(achieved, 1),
        "events_received": len(measured),
        "distinct_events_received": len({(e["resource_external_id"], e["event_type"]) for e in sink.events}),
        "payments_out_of_order": order,
        "lag_p50_ms": round(percentile(measured, 0.50) * 1000, 1),
        "lag_p99_ms": round(percentile(measured, 0.99) * 1000, 1),
        "seconds_to_emit_the_rest_after_load": round(settle, 1),
    }


async def drain_run(
    url: str, sessionmaker: Any, connection: asyncpg.Connection, account_id: int, workers_count: int
) -> dict[str, Any]:
    await connection.execute("TRUNCATE charges, outbox_events, procrastinate_jobs CASCADE")
    for _ in range(DRAIN // 50):
        await asyncio.gather(*(pay(sessionmaker, account_id) for _ in range(50)))
    async with serve_sink(SECRET.encode()) as sink:
        workers = Workers(base_worker_env(url, sink.url), os.devnull)
        try:
            for _ in range(workers_count):
                workers.start()
            await ready(connection, workers_count)
            seconds = await wait_until(connection, ALL_CAPTURED)
        finally:
            workers.stop()
        del sink
    return {
        "workers": workers_count,
        "captures": DRAIN,
        "seconds": round(seconds, 2),
        "captures_per_s": round(DRAIN / seconds, 1),
    }


@asynccontextmanager
async def scratch_database(name: str) -> AsyncIterator[str]:
    """The URL of a new, empty database ``name`` on the test server, dropped on exit."""
    admin_url, where = await find_test_server()
    await create_database(admin_url, name)
    url = with_database(admin_url, name)
    print(f"database {name} on {where}")
    try:
        yield url
    finally:
        await drop_database(admin_url, name)


@asynccontextmanager
async def bench_database(
    prefix: str, *migrations: Callable[[str], Awaitable[None]]
) -> AsyncIterator[tuple[str, Any, Any, asyncpg.Connection]]:
    """A database of its own on the test server, dropped on exit, with connector's schema (and
    ``migrations``'): its URL, an engine of ``POOL`` connections, a sessionmaker and a raw connection.
    """
    async with scratch_database(f"{prefix}_{secrets.token_hex(4)}") as url:
        for migrate in (upgrade_async, *migrations):
            await migrate(url)
        application_name = prefix.replace("_", "-")
        engine = create_engine(url, application_name=application_name, pool_size=POOL, max_overflow=0)
        sessionmaker = create_sessionmaker(engine)
        connection = await asyncpg.connect(dsn(url))
        try:
            yield url, engine, sessionmaker, connection
        finally:
            await connection.close()
            await engine.dispose()


async def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with bench_database("bench_events") as (url, engine, sessionmaker, connection):
        account_id = await create_account(sessionmaker)
        await warm_up(engine)
        results["lag"] = await lag_run(url, sessionmaker, connection, account_id)
        print(results["lag"])
        one = await drain_run(url, sessionmaker, connection, account_id, 1)
        print(one)
        two = await drain_run(url, sessionmaker, connection, account_id, 2)
        print(two)
        results["drain"] = [one, two]
        results["two_workers_speed_up"] = round(two["captures_per_s"] / one["captures_per_s"], 2)
    return results


def main() -> None:
    results = asyncio.run(run())
    print(results)


if __name__ == "__main__":
    main()
