"""``kill -9`` job workers again and again while they capture and publish; then check nothing was lost.

    .venv/bin/python -m scripts.chaos_workers --database-url postgresql://... [--kills 20] [--workers 2]

On a migrated database: a sandbox account; charges approved for capture in a steady stream (each
approval commits its capture job and its outbox row, whose insert wakes the publishers); ``--workers`` worker
processes (``python -m connector.worker``) delivering events to a signed HTTP sink in this
process. Every ``--interval`` seconds (randomised) the oldest worker gets SIGKILL, mid-job or not,
and a new one starts. After ``--kills`` kills the survivors get time to finish; the script then
reports, as JSON, and exits 1 unless: no event is left unemitted, no charge is left short of
CAPTURED, and every payment's events reached the sink in order (repeats allowed: at least once).
Heartbeats and the stalled-job and capture sweeps run every second here, so recovery is quick.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.models import Charge
from pay_common.db.base import utc_now
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.ids import new_external_id, new_uuid_hex
from scripts.event_sink import EventSink, serve_sink
from tests import factories

EXPECTED = ["USER_APPROVED_FOR_CAPTURE", "CAPTURE_SUBMITTED", "CAPTURE_CONFIRMED"]
SECRET = "chaos-sink-secret"


@dataclass
class Report:
    kills: int = 0
    workers_exited_on_their_own: int = 0
    kills_during_capture: int = 0
    kills_during_publish: int = 0
    charges: int = 0
    captured: int = 0
    not_captured: int = 0
    unemitted_events: int = 0
    events_received: int = 0
    repeats_received: int = 0
    out_of_order_payments: int = 0
    bad_signatures: int = 0
    seconds_to_settle: float = 0.0
    #: Jobs a killed worker was running, put back by ``jobs.retry_stalled`` (from the workers' log).
    stalled_jobs_retried: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def base_worker_env(database_url: str, sink_url: str) -> dict[str, str]:
    """Workers on ``database_url`` publishing to the sink, logging warnings as JSON."""
    return {
        **os.environ,
        "CONNECTOR_DATABASE_URL": database_url,
        "CONNECTOR_EVENT_SINK_URL": sink_url,
        "CONNECTOR_EVENT_SINK_SECRET": SECRET,
        "CONNECTOR_LOG_LEVEL": "WARNING",
        "CONNECTOR_LOG_JSON": "true",
    }


def worker_env(database_url: str, sink_url: str) -> dict[str, str]:
    return {
        **base_worker_env(database_url, sink_url),
        "CONNECTOR_WORKER_CONCURRENCY": "4",
        "CONNECTOR_WORKER_DB_POOL_SIZE": "4",
        "CONNECTOR_WORKER_HEARTBEAT_SECONDS": "0.5",
        "CONNECTOR_WORKER_STALLED_AFTER_SECONDS": "5",
        "CONNECTOR_RETRY_STALLED_JOBS_CRON": "* * * * * *",
        "CONNECTOR_CAPTURE_SWEEP_CRON": "* * * * * */5",
        # A capture cut between "intent" and "result" is claimed again this soon (same
        # idempotency key, so the provider cannot capture twice).
        "CONNECTOR_STALE_INTENT_AFTER_SECONDS": "2",
        "CONNECTOR_EMITTED_EVENTS_SWEEP_CRON": "* * * * * */5",
        "CONNECTOR_NOT_EMITTED_EVENT_MAX_AGE_IN_SECONDS": "10",
        "CONNECTOR_DO_NOT_RETRY_EMITTING_EVENT_UNTIL_SECONDS": "10",
    }


class Workers:
    """Worker processes forked from one pre-imported parent (a "zygote").

    Importing the connector takes seconds on a busy machine; forking a process that has done it
    starts a worker at once, so kills can come every second. Each child is a complete worker
    (``connector.worker.main``: its own event loop, pools and heartbeat), killed by its own pid.
    """

    def __init__(self, env: dict[str, str], log_path: str) -> None:
        self._zygote = subprocess.Popen(
            [sys.executable, "-m", "scripts.chaos_workers", "--zygote", "--worker-log", log_path],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.pids: list[int] = []

    async def start_async(self) -> int:
        """:meth:`start` off the event loop: the sink this loop serves must keep answering meanwhile."""
        return await asyncio.to_thread(self.start)

    def start(self) -> int:
        assert self._zygote.stdin is not None
        assert self._zygote.stdout is not None
        self._zygote.stdin.write(b"fork\n")
        self._zygote.stdin.flush()
        pid = int(self._zygote.stdout.readline())
        self.pids.append(pid)
        return pid

    async def replace_exited(self) -> int:
        """Start a new worker for each that exited on its own (a supervisor's job); returns how many."""
        exited = [pid for pid in self.pids if not _alive(pid)]
        self.pids = [pid for pid in self.pids if pid not in exited]
        for _ in exited:
            await self.start_async()
        return len(exited)

    def kill_oldest(self) -> bool:
        """SIGKILL the oldest worker; False if it had already exited on its own."""
        try:
            os.kill(self.pids.pop(0), signal.SIGKILL)
        except ProcessLookupError:
            return False
        return True

    def stop(self) -> None:
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGTERM)  # graceful: running jobs finish
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while self.pids and time.monotonic() < deadline:
            self.pids = [pid for pid in self.pids if _alive(pid)]
            time.sleep(0.1)
        for pid in self.pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it exited since the last look
        assert self._zygote.stdin is not None
        self._zygote.stdin.close()
        self._zygote.wait(timeout=10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def zygote(log_path: str) -> None:
    """Import the worker once, then fork one child per line read; print each child's pid."""
    import connector.worker

    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            # The child must never return into this loop (it would read the parent's stdin).
            code = 1
            try:
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.dup2(log, 1)
                os.dup2(log, 2)
                connector.worker.main()
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        print(pid, flush=True)


async def create_account(sessionmaker: Any) -> int:
    """A sandbox account (the tests' factory: one credential, every card type)."""
    async with sessionmaker() as session:
        account = await factories.create_account(session)
        account_id: int = account.id
        return account_id


async def produce(
    sessionmaker: Any, account_id: int, charge_ids: list[str], stop: asyncio.Event, rate: float
) -> None:
    """Approve ``rate`` charges a second until told to stop, so kills land while work is in flight."""
    while not stop.is_set():
        charge_ids.append(await approve_charge(sessionmaker, account_id))
        await asyncio.sleep(1 / rate)


def new_charge(account_id: int, status: ChargeStatus) -> Charge:
    """A sandbox charge already in ``status`` (not yet added to a session)."""
    now = utc_now()
    return Charge(
        external_id=new_external_id(),
        amount=1000,
        status=status.value,
        gateway_account_id=account_id,
        payment_provider="sandbox",
        description="load",
        reference="LOAD",
        return_url="https://example.org",
        created_date=now,
        updated_date=now,
        gateway_transaction_id=new_uuid_hex(),
    )


async def approve_charge(sessionmaker: Any, account_id: int) -> str:
    """An authorised charge, approved for capture in its own transaction (as the user's click)."""
    async with sessionmaker() as session:
        charge = new_charge(account_id, ChargeStatus.AUTHORISATION_SUCCESS)
        session.add(charge)
        await session.flush()
        await transition(session, charge, ChargeStatus.CAPTURE_APPROVED)
        await session.commit()
        return charge.external_id


async def ready(connection: asyncpg.Connection, count: int) -> None:
    """Wait until ``count`` workers have registered with a fresh heartbeat (they are fetching jobs)."""
    for _ in range(200):
        live = await connection.fetchval(
            "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - interval '1 second'"
        )
        if live >= count:
            return
        await asyncio.sleep(0.05)


#: A publisher's turn holds an advisory lock (``connector.events.repository.take_publisher_lock``).
PUBLISHING = "publisher turn"


async def doing(connection: asyncpg.Connection) -> dict[str, int]:
    """Jobs running, by task, and whether a publisher's turn is under way (``PUBLISHING``)."""
    rows = await connection.fetch(
        "SELECT task_name, count(*) AS n FROM procrastinate_jobs WHERE status = 'doing' GROUP BY task_name"
        " UNION ALL SELECT $1, count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
        " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()",
        PUBLISHING,
    )
    return {row["task_name"]: row["n"] for row in rows}


async def settled(connection: asyncpg.Connection, charge_ids: list[str]) -> tuple[int, int]:
    unemitted = await connection.fetchval("SELECT count(*) FROM outbox_events WHERE emitted_at IS NULL")
    not_captured = await connection.fetchval(
        "SELECT count(*) FROM charges WHERE external_id = ANY($1::text[]) AND status <> 'CAPTURED'",
        charge_ids,
    )
    return int(unemitted), int(not_captured)


def check_order(sink: EventSink, charge_ids: list[str], report: Report) -> None:
    for charge_id in charge_ids:
        received = sink.events_of(charge_id)
        first_seen = list(dict.fromkeys(received))
        if first_seen != EXPECTED:
            report.out_of_order_payments += 1
            if len(report.problems) < 5:
                report.problems.append(f"{charge_id}: {received}")
        report.repeats_received += len(received) - len(first_seen)


async def chaos(args: argparse.Namespace) -> Report:
    report = Report()
    engine = create_engine(args.database_url, application_name="chaos")
    sessionmaker = create_sessionmaker(engine)
    connection = await asyncpg.connect(dsn(args.database_url))
    charge_ids: list[str] = []
    workers: Workers | None = None
    try:
        async with serve_sink(SECRET.encode(), delay=args.sink_delay) as sink:
            env = worker_env(args.database_url, sink.url)
            account_id = await create_account(sessionmaker)
            workers = Workers(env, args.worker_log)
            for _ in range(args.workers):
                workers.start()
            await ready(connection, args.workers)
            rng = random.Random(args.seed)
            stop_producing = asyncio.Event()
            producer = asyncio.create_task(
                produce(sessionmaker, account_id, charge_ids, stop_producing, args.rate)
            )
            try:
                while report.kills < args.kills:
                    await asyncio.sleep(rng.uniform(0.5, 1.5) * args.interval)
                    running = await doing(connection)
                    if workers.kill_oldest():
                        report.kills += 1
                    else:
                        report.workers_exited_on_their_own += 1
                    report.kills_during_capture += int(running.get("charge.capture", 0) > 0)
                    publishing = running.get("events.publish", 0) + running.get(PUBLISHING, 0)
                    report.kills_during_publish += int(publishing > 0)
                    await workers.start_async()
                    await ready(connection, args.workers)
            finally:
                stop_producing.set()
                await producer
            started = time.monotonic()
            while time.monotonic() - started < args.settle_timeout:
                unemitted, not_captured = await settled(connection, charge_ids)
                if unemitted == 0 and not_captured == 0:
                    break
                report.workers_exited_on_their_own += await workers.replace_exited()
                await asyncio.sleep(0.5)
            report.seconds_to_settle = round(time.monotonic() - started, 1)
            report.unemitted_events, report.not_captured = await settled(connection, charge_ids)
            report.charges = len(charge_ids)
            report.captured = report.charges - report.not_captured
            report.events_received = len(sink.events)
            report.bad_signatures = sink.bad_signatures
            check_order(sink, charge_ids, report)
            report.stalled_jobs_retried = stalled_jobs(args.worker_log)
    finally:
        if workers is not None:
            workers.stop()
        await connection.close()
        await engine.dispose()
    return report


def stalled_jobs(log_path: str) -> dict[str, int]:
    if log_path == os.devnull:
        return {}
    counts: dict[str, int] = {}
    with open(log_path) as log:
        for line in log:
            if "worker.job_stalled" in line:
                task = str(json.loads(line).get("task", "?"))
                counts[task] = counts.get(task, 0) + 1
    return counts


def ok(report: Report) -> bool:
    return (
        report.unemitted_events == 0
        and report.not_captured == 0
        and report.out_of_order_payments == 0
        and report.bad_signatures == 0
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url")
    parser.add_argument("--zygote", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=20.0, help="charges approved per second meanwhile")
    parser.add_argument("--interval", type=float, default=1.0, help="mean seconds between kills")
    parser.add_argument("--sink-delay", type=float, default=0.02, help="seconds the sink takes per batch")
    parser.add_argument("--settle-timeout", type=float, default=90.0)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--worker-log", default=os.devnull, help="file the workers' logs are appended to")
    args = parser.parse_args(argv)
    if args.zygote:
        zygote(args.worker_log)
        return 0
    if not args.database_url:
        parser.error("--database-url is required")
    report = asyncio.run(chaos(args))
    print(json.dumps(report.__dict__, indent=2))
    return 0 if ok(report) else 1


if __name__ == "__main__":
    raise SystemExit(main())
