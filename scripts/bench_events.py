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

from connector.migrate import upgrade_async
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.embedded import create_database, drop_database, with_database
from pay_common.ids import new_external_id, new_uuid_hex
from pay_common.testing.database import find_test_server
from scripts.chaos_workers import SECRET, Workers, base_worker_env, create_account, dsn, ready
from scripts.event_sink import EventSink, serve_sink

RATE = float(os.environ.get("BENCH_EVENTS_RATE", "100"))
SECONDS = float(os.environ.get("BENCH_EVENTS_SECONDS", "20"))
DRAIN = int(os.environ.get("BENCH_EVENTS_DRAIN", "1000"))


#: The rows the connector's journey writes for one payment, one statement (and so one implicit
#: transaction, one round trip) per transaction of the journey: the charge and its
#: ``charge_events``, the outbox rows exactly as ``connector.events.outbox`` writes them (the
#: insert trigger wakes the publishers), and for the approval the capture job
#: (``procrastinate_defer_jobs_v1``, as ``pay_common.jobs.defer``). Event dates are
#: ``clock_timestamp()``, taken in the statement, just before its commit.
_OUTBOX = """
    INSERT INTO outbox_events (resource_type, resource_external_id, event_type, event_date, event_details,
        service_id, live, gateway_account_id, ordering_key)
    SELECT 'payment', $1, step.event_type, clock_timestamp(), step.details, ga.service_id, ga.type = 'LIVE',
        CAST(ga.id AS text), $1
    FROM gateway_accounts ga, unnest($3::text[], $4::jsonb[]) WITH ORDINALITY AS step(event_type, details, n)
    WHERE ga.id = $2
"""
CREATE = f"""
WITH charge AS (
    INSERT INTO charges (external_id, amount, status, gateway_account_id, payment_provider, description,
        reference, return_url, gateway_transaction_id, created_date, updated_date)
    VALUES ($1, 1000, 'CREATED', $2, 'sandbox', 'load', 'LOAD', 'https://example.org', $5,
        clock_timestamp(), clock_timestamp())
    RETURNING id, updated_date
), history AS (
    INSERT INTO charge_events (charge_id, status, event_name, updated)
    SELECT id, 'CREATED', 'PAYMENT_CREATED', updated_date FROM charge
), outbox AS ({_OUTBOX})
SELECT id FROM charge
"""
ADVANCE = f"""
WITH charge AS (
    UPDATE charges SET status = $6, updated_date = clock_timestamp(), version = version + 1
    WHERE id = $5 RETURNING id
), history AS (
    INSERT INTO charge_events (charge_id, status, event_name, updated)
    SELECT charge.id, step.status, step.event_name, clock_timestamp()
    FROM charge, unnest($7::text[], $8::text[]) AS step(status, event_name)
), outbox AS ({_OUTBOX})
SELECT procrastinate_defer_jobs_v1(ARRAY[CAST(ROW('default', 'charge.capture', 0, NULL, NULL,
    jsonb_build_object('charge_external_id', CAST($1 AS varchar)), NULL) AS procrastinate_job_to_defer_v1)])
FROM charge WHERE $9
"""
#: PAYMENT_CREATED's details as ``outbox.charge_event_details`` makes them for this charge.
CREATED_DETAILS = (
    '{{"amount": 1000, "description": "load", "reference": "LOAD", "return_url": "https://example.org",'
    ' "payment_provider": "sandbox", "language": "en", "delayed_capture": false, "moto": false,'
    ' "save_payment_instrument_to_agreement": false, "authorisation_mode": "web", "live": false,'
    ' "gateway_account_id": "{account}"}}'
)
Step = tuple[list[str], list[str | None]]  # statuses entered, the event of each (None: READY)
AUTHORISE: Step = (
    ["ENTERING CARD DETAILS", "AUTHORISATION READY", "AUTHORISATION SUCCESS"],
    ["PAYMENT_STARTED", None, "AUTHORISATION_SUCCEEDED"],
)
APPROVE: Step = (["CAPTURE APPROVED"], ["USER_APPROVED_FOR_CAPTURE"])


async def pay(pool: asyncpg.Pool, account_id: int, *, capture: bool = True) -> str:
    """One payment's own transactions: created; started → authorised; approved for capture.

    Raw SQL, three round trips: the in-process ORM journey cost the load generator ~10 ms of
    CPU a payment (30 statements), so it could not reach 100 payments/s on this machine beside
    the workers and PostgreSQL (docs/benchmarks.md). What the workers and consumers see is the
    same: the rows, the notifications and the capture job.
    """
    external_id = new_external_id()
    async with pool.acquire() as connection:
        charge_id = await connection.fetchval(
            CREATE,
            external_id,
            account_id,
            ["PAYMENT_CREATED"],
            [CREATED_DETAILS.format(account=account_id)],
            new_uuid_hex(),
        )
        steps = [AUTHORISE, APPROVE] if capture else [AUTHORISE]
        for number, (statuses, events) in enumerate(steps):
            emitted = [event for event in events if event is not None]
            await connection.execute(
                ADVANCE,
                external_id,
                account_id,
                emitted,
                ["{}"] * len(emitted),
                charge_id,
                statuses[-1],
                statuses,
                events,
                number == 1,
            )
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


async def paced_load(pool: asyncpg.Pool, account_id: int, rate: float, seconds: float) -> tuple[int, float]:
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
            return await pay(pool, account_id)

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
    url: str, pool: asyncpg.Pool, connection: asyncpg.Connection, account_id: int
) -> dict[str, Any]:
    async with serve_sink(SECRET.encode()) as sink:
        workers = Workers(base_worker_env(url, sink.url), os.devnull)
        try:
            workers.start()
            workers.start()
            await ready(connection, 2)
            payments, achieved = await paced_load(pool, account_id, RATE, SECONDS)
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
    url: str, pool: asyncpg.Pool, connection: asyncpg.Connection, account_id: int, workers_count: int
) -> dict[str, Any]:
    await connection.execute("TRUNCATE charges, outbox_events, procrastinate_jobs CASCADE")
    for _ in range(DRAIN // 50):
        await asyncio.gather(*(pay(pool, account_id) for _ in range(50)))
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
) -> AsyncIterator[tuple[str, Any, asyncpg.Connection, asyncpg.Pool]]:
    """A database of its own on the test server, dropped on exit, with connector's schema (and
    ``migrations``'): its URL, a sessionmaker (for the set-up), a raw connection and the load
    generator's pool of ``POOL`` connections, all open before the clock starts.
    """
    async with scratch_database(f"{prefix}_{secrets.token_hex(4)}") as url:
        for migrate in (upgrade_async, *migrations):
            await migrate(url)
        application_name = prefix.replace("_", "-")
        engine = create_engine(url, application_name=application_name, pool_size=2)
        sessionmaker = create_sessionmaker(engine)
        connection = await asyncpg.connect(dsn(url))
        pool = await asyncpg.create_pool(
            dsn(url), min_size=POOL, max_size=POOL, server_settings={"application_name": application_name}
        )
        try:
            yield url, sessionmaker, connection, pool
        finally:
            await pool.close()
            await connection.close()
            await engine.dispose()


async def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with bench_database("bench_events") as (url, sessionmaker, connection, pool):
        account_id = await create_account(sessionmaker)
        results["lag"] = await lag_run(url, pool, connection, account_id)
        print(results["lag"])
        one = await drain_run(url, pool, connection, account_id, 1)
        print(one)
        two = await drain_run(url, pool, connection, account_id, 2)
        print(two)
        results["drain"] = [one, two]
        results["two_workers_speed_up"] = round(two["captures_per_s"] / one["captures_per_s"], 2)
    return results


def main() -> None:
    results = asyncio.run(run())
    print(results)


if __name__ == "__main__":
    main()
