"""Webhooks benchmark: messages one delivery worker sends per second, and payment success → delivery.

Run: ``.venv/bin/python -m scripts.bench.webhooks`` (``make bench`` runs it too). Knobs:
``BENCH_WEBHOOKS_MESSAGES`` (queued messages for the throughput run, default 2000),
``BENCH_WEBHOOKS_WEBHOOKS`` (webhooks they are spread over, default 10),
``BENCH_WEBHOOKS_RATE`` (payments/s of the latency run, default 100), ``BENCH_WEBHOOKS_SECONDS``
(default 20).

Everything is real and local: a dedicated database (both schemas migrated), connector's API
(uvicorn, own process, as deployed; the webhooks service reads a payment there only when a batch
does not carry it), the webhooks API (own process), connector workers (outbox publisher →
``POST /v1/events`` with the payments' views), one ``webhooks.worker``
process (concurrency 10, as deployed), and a receiver served by this process that records when
each message arrived.

1. **Throughput**: ``MESSAGES`` messages, each with an attempt due now, are queued over
   ``WEBHOOKS`` webhooks (each webhook's messages go out one at a time, in order) while no
   worker runs; then one worker starts. Messages/s = messages ÷ (last receipt − first receipt).
2. **Latency**: payments are driven to success (``USER_APPROVED_FOR_CAPTURE``: the
   ``card_payment_succeeded`` event) at a paced ``RATE``, with a webhook subscribed to it.
   Latency = receipt time − the message's ``created_date`` (the event's timestamp, taken in the
   payment's transaction just before it commits); p50/p99 over every message. The ingest lag
   (event → message stored by the webhooks service) splits it: the rest is delivery.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import datetime
from typing import Any

import asyncpg
import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scripts.bench_events import bench_database, paced_load, percentile
from scripts.chaos_workers import SECRET, Workers, base_worker_env, create_account, ready
from tests.served import serve_connector, serve_in_loop
from webhooks import jobs as webhooks_jobs
from webhooks.events.service import FETCH_CONCURRENCY
from webhooks.migrate import upgrade_async as upgrade_webhooks

MESSAGES = int(os.environ.get("BENCH_WEBHOOKS_MESSAGES", "2000"))
WEBHOOKS = int(os.environ.get("BENCH_WEBHOOKS_WEBHOOKS", "10"))
RATE = float(os.environ.get("BENCH_WEBHOOKS_RATE", "100"))
SECONDS = float(os.environ.get("BENCH_WEBHOOKS_SECONDS", "20"))
WORKER_CONCURRENCY = 10


class Receiver:
    """Records each message's arrival time and its ``created_date``."""

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []

    async def hook(self, request: Request) -> Response:
        body = json.loads(await request.body())
        self.received.append((time.time(), body["created_date"]))
        return Response(status_code=200)


@asynccontextmanager
async def serve_receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    async with serve_in_loop(Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])) as url:
        yield receiver, f"{url}/hook"


def webhooks_env(database_url: str, connector_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "WEBHOOKS_DATABASE_URL": database_url,
        "WEBHOOKS_CONNECTOR_URL": connector_url,
        "WEBHOOKS_EVENT_INGEST_SECRET": SECRET,
        "WEBHOOKS_CALLBACK_URL_POLICY": "development",
        "WEBHOOKS_LOG_LEVEL": "WARNING",
        "WEBHOOKS_LOG_JSON": "true",
        "WEBHOOKS_WORKER_CONCURRENCY": str(WORKER_CONCURRENCY),
        # Deliveries come from the job deferred with each attempt, not from the safety sweep.
        "WEBHOOKS_DELIVERY_SWEEP_CRON": "0 0 1 1 *",
    }


@contextmanager
def process(command: list[str], env: dict[str, str], sock: socket.socket | None = None) -> Iterator[None]:
    fds = [sock.fileno()] if sock is not None else []
    child = subprocess.Popen(
        command, env=env, pass_fds=fds, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield
    finally:
        child.terminate()
        try:
            child.wait(timeout=20)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


@contextmanager
def serve_webhooks(env: dict[str, str]) -> Iterator[str]:
    """The webhooks API (uvicorn, own process) on a socket made here; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "webhooks.main:app",
        "--fd",
        str(sock.fileno()),
        "--no-access-log",
    ]
    try:
        with process(command, env, sock):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/healthcheck", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            yield url
    finally:
        sock.close()


def webhooks_worker(env: dict[str, str]) -> Any:
    return process([sys.executable, "-m", "webhooks.worker"], env)


async def create_webhooks(
    webhooks_url: str, callback_url: str, account: dict[str, Any], count: int, subscriptions: list[str]
) -> list[int]:
    """``count`` webhooks of the account's service on the receiver; their database ids."""
    created = []
    async with httpx.AsyncClient(base_url=webhooks_url, timeout=30) as client:
        for _ in range(count):
            answer = await client.post(
                "/v1/webhook",
                json={
                    "service_id": account["service_id"],
                    "gateway_account_id": str(account["id"]),
                    "live": False,
                    "callback_url": callback_url,
                    "subscriptions": subscriptions,
                },
            )
            answer.raise_for_status()
            created.append(answer.json()["external_id"])
    return created


QUEUE_MESSAGES = """
WITH made AS (
    INSERT INTO webhooks.webhook_messages
        (external_id, created_date, webhook_id, event_date, event_type, event_key, resource,
         resource_external_id, resource_type)
    SELECT 'bench' || n, now(), w.id, now(), 'card_payment_succeeded', 'bench-' || n,
           jsonb_build_object('payment_id', 'bench' || n, 'amount', 1000),
           'bench' || n, 'payment'
    FROM generate_series(1, $1) AS n
    JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS slot FROM webhooks.webhooks) AS w
      ON w.slot = n % $2
    RETURNING id
)
INSERT INTO webhooks.webhook_delivery_queue (created_date, send_at, delivery_status, webhook_message_id)
SELECT now(), now(), 'PENDING', id FROM made
"""
INGEST_LAGS = (
    "SELECT extract(epoch FROM created_date - event_date) FROM webhooks.webhook_messages"
    " WHERE event_type = 'card_payment_succeeded'"
)
PENDING = "SELECT count(*) FROM webhooks.webhook_delivery_queue WHERE delivery_status = 'PENDING'"


async def wait_for(receiver: Receiver, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(receiver.received) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


async def queue_messages(sessionmaker: Any, connection: asyncpg.Connection) -> None:
    """The messages and their attempts, and delivery jobs as ingestion defers them: each job
    sends up to a batch (50), so enough jobs for every message, plus one per worker slot."""
    await connection.execute(QUEUE_MESSAGES, MESSAGES, WEBHOOKS)
    async with sessionmaker() as session:
        for _ in range(MESSAGES // 50 + WORKER_CONCURRENCY):
            await webhooks_jobs.defer_delivery(session)
        await session.commit()


async def throughput_run(
    url: str, sessionmaker: Any, connection: asyncpg.Connection, account: dict[str, Any]
) -> dict[str, Any]:
    env = webhooks_env(url, "http://127.0.0.1:9")  # the queued messages need no payment read
    async with serve_receiver() as (receiver, callback):
        with serve_webhooks(env) as webhooks_url:
            await create_webhooks(webhooks_url, callback, account, WEBHOOKS, ["card_payment_succeeded"])
        await queue_messages(sessionmaker, connection)
        with webhooks_worker(env):
            await wait_for(receiver, MESSAGES, timeout=600)  # the span is measured at the receiver
        arrivals = [at for at, _ in receiver.received]
    pending = await connection.fetchval(PENDING)
    await connection.execute("TRUNCATE webhooks.webhooks CASCADE")
    span = max(arrivals) - min(arrivals)
    return {
        "messages": MESSAGES,
        "webhooks": WEBHOOKS,
        "delivered": len(arrivals),
        "left_pending": pending,
        "seconds": round(span, 2),
        "messages_per_s": round((len(arrivals) - 1) / span, 1) if span > 0 else None,
    }


def created(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


async def latency_run(
    url: str, pool: asyncpg.Pool, connection: asyncpg.Connection, account: dict[str, Any]
) -> dict[str, Any]:
    # Should a batch lack its payments, the webhooks service reads FETCH_CONCURRENCY at once.
    with serve_connector(url, pool_size=FETCH_CONCURRENCY) as connector_url:
        env = webhooks_env(url, connector_url)
        async with serve_receiver() as (receiver, callback):
            with serve_webhooks(env) as webhooks_url:
                await create_webhooks(webhooks_url, callback, account, 1, ["card_payment_succeeded"])
                publisher_env = {
                    **base_worker_env(url, ""),
                    "CONNECTOR_WEBHOOKS_EVENTS_URL": f"{webhooks_url}/v1/events",
                    "CONNECTOR_WEBHOOKS_EVENTS_SECRET": SECRET,
                }
                publisher_env.pop("CONNECTOR_EVENT_SINK_URL")
                workers = Workers(publisher_env, os.devnull)
                try:
                    workers.start()
                    workers.start()
                    await ready(connection, 2)
                    with webhooks_worker(env):
                        await ready(connection, 3)  # the clock starts once it fetches jobs
                        payments, achieved = await paced_load(pool, account["id"], RATE, SECONDS)
                        await wait_for(receiver, payments, timeout=300)
                finally:
                    workers.stop()
        latencies = [at - created(created_date) for at, created_date in receiver.received]
    # Where the time went: event → stored message (connector's publisher and the ingest) …
    ingest = [float(row[0]) for row in await connection.fetch(INGEST_LAGS)]
    return {
        "ingest_lag_p50_ms": round(percentile(ingest, 0.50) * 1000, 1),
        "ingest_lag_p99_ms": round(percentile(ingest, 0.99) * 1000, 1),
        "payments": payments,
        "payments_per_s_achieved": round(achieved, 1),
        "messages_received": len(latencies),
        "latency_p50_ms": round(percentile(latencies, 0.50) * 1000, 1),
        "latency_p99_ms": round(percentile(latencies, 0.99) * 1000, 1),
        "latency_max_ms": round(max(latencies) * 1000, 1),
    }


async def run() -> dict[str, Any]:
    results: dict[str, Any] = {}
    async with bench_database("bench_webhooks", upgrade_webhooks) as (url, sessionmaker, connection, pool):
        account_id = await create_account(sessionmaker)
        service_id = await connection.fetchval(
            "SELECT service_id FROM gateway_accounts WHERE id = $1", account_id
        )
        account = {"id": account_id, "service_id": service_id}
        results["throughput"] = await throughput_run(url, sessionmaker, connection, account)
        print(results["throughput"])
        results["latency"] = await latency_run(url, pool, connection, account)
        print(results["latency"])
    return results


def main() -> None:
    print(asyncio.run(run()))


if __name__ == "__main__":
    main()
