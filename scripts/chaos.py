"""`make chaos`: kill -9 connector processes during a stream of payments and refunds, then check.

1. A database of its own (``pay_chaos_<pid>_<hex>``) on the server the tests would use
   (``TEST_DATABASE_URL``, else 127.0.0.1:5432, else embedded), migrated.
2. Two connector processes on free ports, both running the background loops (capture, expiry,
   recovery): ``web`` takes every request, ``worker`` only runs the loops. Both record the
   sandbox provider's side of each payment in one ledger file (``CONNECTOR_SANDBOX_LEDGER_PATH``).
   publicapi in front of ``web``.
3. Journeys (publicapi create → card details at connector, as the payment pages send them →
   confirm → capture by the worker), some cancelled by the payer mid-authorisation, and refunds
   of captured payments through publicapi; meanwhile one process is ``kill -9``-ed at a random
   moment, ``--kills`` times, and started again. Clients retry a step a dead connector dropped.
4. Then it waits up to the documented recovery time (docs/reliability.md) and checks: every
   accepted payment and refund exists, none is in an intent state, every confirmed payment is
   captured exactly once at the provider, no cancelled or failed payment holds money there, and
   the provider refunded exactly what the database says. Exit code 1 when any check fails.

Run: ``make chaos`` or ``.venv/bin/python -m scripts.chaos --kills 20 --seed 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from connector.cli import AdminClient  # noqa: E402
from connector.gateways.sandbox.ledger import holdings, read  # noqa: E402
from connector.migrate import upgrade_async  # noqa: E402
from pay_common.embedded import create_database, drop_database, with_database  # noqa: E402
from pay_common.service_auth import (  # noqa: E402
    DEVELOPMENT_KEY,
    MAX_TTL_SECONDS,
    SERVICE_TOKEN_HEADER,
    ServiceTokenSigner,
)
from pay_common.testing.database import find_test_server  # noqa: E402

#: Connector's development keys sign the calls the payment pages would make (an hour at most).
FRONTEND_HEADERS = {
    SERVICE_TOKEN_HEADER: ServiceTokenSigner("frontend", DEVELOPMENT_KEY).mint(MAX_TTL_SECONDS)
}

PYTHON = sys.executable
SECRET = "chaos-hmac-secret"
#: docs/reliability.md: an intent state untouched for 60 s is resolved by the next recovery pass
#: (every 15 s); if the worker running that pass was killed, procrastinate re-queues the job after
#: 30 s without heartbeat. 180 s after the last kill covers it all on a loaded machine.
RECOVERY_BOUND_SECONDS = 180.0
CHARGE_INTENTS = (
    "AUTHORISATION READY",
    "AUTHORISATION 3DS READY",
    "CAPTURE READY",
    "USER CANCEL READY",
    "SYSTEM CANCEL READY",
    "EXPIRE CANCEL READY",
)
#: Waiting for the capture worker: must be empty too once the worker has had its turn.
CAPTURE_QUEUE = ("CAPTURE APPROVED", "CAPTURE APPROVED RETRY", "CAPTURE QUEUED")
CARD = {
    "card_number": "4242424242424242",
    "cvc": "123",
    "expiry_date": "11/30",
    "card_brand": "visa",
    "cardholder_name": "Chaos Payer",
    "address": {"line1": "1 Street", "city": "London", "postcode": "SW1A 1AA", "country": "GB"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ChaosError(Exception):
    """A service could not be (re)started: the run cannot go on."""


@dataclass
class Service:
    """One process: an ASGI app on ``port`` (ready when /healthcheck answers), or, with
    ``command``, a job worker (ready when it logs ``worker.started``)."""

    name: str
    app: str
    port: int
    env: dict[str, str]
    log: Path
    command: list[str] | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = self.command or [
            *(PYTHON, "-m", "uvicorn", self.app, "--host", "127.0.0.1"),
            *("--port", str(self.port), "--no-access-log"),
        ]
        self._ready_marks = self._marks()
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=log, stderr=log)

    def _marks(self) -> int:
        try:
            return self.log.read_text(errors="replace").count('"event": "worker.started"')
        except FileNotFoundError:
            return 0

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)  # the point of the exercise: no clean shutdown
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    async def wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise ChaosError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
                if await self._ready(client):
                    return
                await asyncio.sleep(0.2)
        raise ChaosError(f"{self.name} did not become ready; see {self.log}")

    async def _ready(self, client: httpx.AsyncClient) -> bool:
        if self.command is not None:
            return self._marks() > self._ready_marks
        try:
            # Generous: under load (client retries pile up while it is down) a reply takes seconds.
            response = await client.get(f"http://127.0.0.1:{self.port}/healthcheck", timeout=10)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


@dataclass
class Journey:
    payment_id: str
    amount: int
    confirmed: bool = False
    cancel_asked: bool = False
    refunds: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class Run:
    journeys: list[Journey] = field(default_factory=list)
    refused: Counter[str] = field(default_factory=Counter)
    retries: int = 0
    kills: list[str] = field(default_factory=list)
    stop: asyncio.Event = field(default_factory=asyncio.Event)


async def call(
    run: Run, client: httpx.AsyncClient, method: str, url: str, **kwargs: Any
) -> httpx.Response | None:
    """One request, retried while the connector behind it is down (as a payer would press again)."""
    for _ in range(40):
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.TransportError:
            run.retries += 1
            await asyncio.sleep(0.5)
            continue
        if response.status_code in (500, 502, 503, 504) and method == "GET":
            await asyncio.sleep(0.5)
            continue
        return response
    return None


async def charge_status(run: Run, connector: httpx.AsyncClient, charge_id: str) -> str | None:
    response = await call(run, connector, "GET", f"/v1/frontend/charges/{charge_id}")
    return None if response is None or response.status_code != 200 else str(response.json()["status"])


async def settle(run: Run, connector: httpx.AsyncClient, charge_id: str) -> str | None:
    """The payment pages poll while an authorisation is in progress."""
    status = None
    for _ in range(20):
        status = await charge_status(run, connector, charge_id)
        if status != "AUTHORISATION READY":
            return status
        await asyncio.sleep(0.5)
    return status


async def journey(
    run: Run, rng: random.Random, public: httpx.AsyncClient, connector: httpx.AsyncClient
) -> None:
    amount = rng.randint(100, 5000)
    body = {
        "amount": amount,
        "reference": "chaos",
        "description": "Chaos payment",
        "return_url": "https://service.example/return",
    }
    created = await call(run, public, "POST", "/v1/payments", json=body)
    if created is None or created.status_code != 201:
        run.refused["create"] += 1
        return
    trip = Journey(created.json()["payment_id"], amount)
    run.journeys.append(trip)
    cards = call(run, connector, "POST", f"/v1/frontend/charges/{trip.payment_id}/cards", json=CARD)
    if rng.random() < 0.15:  # the payer cancels while the card is being authorised
        trip.cancel_asked = True

        async def cancel() -> None:
            await asyncio.sleep(rng.uniform(0, 0.05))
            await call(run, connector, "POST", f"/v1/frontend/charges/{trip.payment_id}/cancel")

        await asyncio.gather(cards, cancel())
        return
    await cards
    if await settle(run, connector, trip.payment_id) != "AUTHORISATION SUCCESS":
        run.refused["authorise"] += 1
        return
    confirm = await call(run, connector, "POST", f"/v1/frontend/charges/{trip.payment_id}/capture")
    status = await charge_status(run, connector, trip.payment_id)
    trip.confirmed = (confirm is not None and confirm.status_code == 204) or status in (
        "CAPTURE APPROVED",
        "CAPTURED",
        "CAPTURE READY",
        "CAPTURE SUBMITTED",
        "CAPTURE APPROVED RETRY",
    )
    if not trip.confirmed:
        run.refused["confirm"] += 1


async def refund_some(run: Run, rng: random.Random, public: httpx.AsyncClient) -> None:
    captured = [j for j in run.journeys if j.confirmed]
    if not captured:
        return
    trip = rng.choice(captured)
    payment = await call(run, public, "GET", f"/v1/payments/{trip.payment_id}")
    if payment is None or payment.status_code != 200:
        return
    summary = payment.json().get("refund_summary", {})
    available = int(summary.get("amount_available", 0))
    if summary.get("status") != "available" or available < 2:
        return
    amount = rng.randint(1, available // 2)
    body = {"amount": amount, "refund_amount_available": available}
    refund = await call(run, public, "POST", f"/v1/payments/{trip.payment_id}/refunds", json=body)
    if refund is not None and refund.status_code in (200, 202):
        trip.refunds.append((refund.json()["refund_id"], amount))
    else:
        run.refused["refund"] += 1


async def traffic(run: Run, seed: int, public: httpx.AsyncClient, connector: httpx.AsyncClient) -> None:
    rng = random.Random(seed)

    async def lane(n: int) -> None:
        lane_rng = random.Random(rng.random() + n)
        while not run.stop.is_set():
            if lane_rng.random() < 0.3:
                await refund_some(run, lane_rng, public)
            else:
                await journey(run, lane_rng, public, connector)

    await asyncio.gather(*(lane(n) for n in range(6)))


async def chaos_monkey(run: Run, seed: int, victims: list[Service], kills: int) -> None:
    rng = random.Random(seed * 7919)
    try:
        for _ in range(kills):
            await asyncio.sleep(rng.uniform(1.0, 4.0))
            victim = rng.choice(victims)
            victim.kill()
            run.kills.append(victim.name)
            await asyncio.sleep(rng.uniform(0.0, 1.0))
            victim.start()
            await victim.wait_ready()
    finally:
        run.stop.set()


async def counts(db: asyncpg.Connection, statuses: tuple[str, ...]) -> int:
    return int(
        await db.fetchval("SELECT count(*) FROM charges WHERE status = ANY($1::text[])", list(statuses))
    )


async def wait_for_recovery(db: asyncpg.Connection, since: float) -> float:
    """Seconds from the last kill until no intent state was left (or the bound passed)."""
    while True:
        intents = await counts(db, CHARGE_INTENTS + CAPTURE_QUEUE)
        intents += int(await db.fetchval("SELECT count(*) FROM refunds WHERE status = 'CREATED'"))
        elapsed = time.monotonic() - since
        if intents == 0 or elapsed > RECOVERY_BOUND_SECONDS:
            return elapsed
        await asyncio.sleep(1.0)


async def verify(run: Run, db: asyncpg.Connection, ledger_path: Path) -> dict[str, Any]:
    rows = {r["external_id"]: r["status"] for r in await db.fetch("SELECT external_id, status FROM charges")}
    refunds = {
        r["external_id"]: (r["status"], r["charge_external_id"], r["amount"])
        for r in await db.fetch("SELECT external_id, status, charge_external_id, amount FROM refunds")
    }
    provider = holdings(read(ledger_path))
    accepted_refunds = [(rid, amount, j.payment_id) for j in run.journeys for rid, amount in j.refunds]
    refunded_in_db: Counter[str] = Counter()
    for status, charge_id, amount in refunds.values():
        if status == "REFUNDED":
            refunded_in_db[charge_id] += amount
    cancelled = {
        "USER CANCELLED",
        "EXPIRED",
        "SYSTEM CANCELLED",
        "AUTHORISATION REJECTED",
        "AUTHORISATION ERROR",
    }
    return {
        "payments accepted": len(run.journeys),
        "payments lost": sum(1 for j in run.journeys if j.payment_id not in rows),
        "confirmed payments not captured": sum(
            1 for j in run.journeys if j.confirmed and rows.get(j.payment_id) != "CAPTURED"
        ),
        "refunds accepted": len(accepted_refunds),
        "refunds lost": sum(1 for rid, _, _ in accepted_refunds if rid not in refunds),
        "accepted refunds not refunded": sum(
            1 for rid, _, _ in accepted_refunds if refunds.get(rid, ("",))[0] != "REFUNDED"
        ),
        "charges in an intent state": sum(1 for s in rows.values() if s in CHARGE_INTENTS + CAPTURE_QUEUE),
        "refunds in CREATED": sum(1 for r in refunds.values() if r[0] == "CREATED"),
        "double captures at the provider": len(provider.double_captures),
        "captured in db, not at the provider": sum(
            1 for c, s in rows.items() if s == "CAPTURED" and not provider.captures[c]
        ),
        "captured at the provider, not in db": sum(1 for c in provider.captures if rows.get(c) != "CAPTURED"),
        "cancelled or failed but money held": sum(1 for c in provider.held if rows.get(c) in cancelled),
        "refund totals differing from the provider": sum(
            1
            for c in set(refunded_in_db) | set(provider.refunded)
            if refunded_in_db[c] != provider.refunded[c]
        ),
        "over-refunded charges": int(
            await db.fetchval(
                "SELECT count(*) FROM (SELECT c.external_id FROM charges c JOIN refunds r ON r.charge_external_id = c.external_id "
                "WHERE r.status <> 'REFUND ERROR' GROUP BY c.external_id, c.amount HAVING sum(r.amount) > c.amount) o"
            )
        ),
        "_statuses": dict(Counter(rows.values()).most_common()),
        "_held awaiting the payer's confirmation (AUTHORISATION SUCCESS)": sum(
            1 for c in provider.held if rows.get(c) == "AUTHORISATION SUCCESS"
        ),
    }


MUST_BE_ZERO = (
    "payments lost",
    "confirmed payments not captured",
    "refunds lost",
    "accepted refunds not refunded",
    "charges in an intent state",
    "refunds in CREATED",
    "double captures at the provider",
    "captured in db, not at the provider",
    "captured at the provider, not in db",
    "cancelled or failed but money held",
    "refund totals differing from the provider",
    "over-refunded charges",
)


def service_env(db_url: str, ledger: Path, connector_port: int, public_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CONNECTOR_DATABASE_URL": db_url,
            "CONNECTOR_SANDBOX_LEDGER_PATH": str(ledger),
            # A provider answering in 0.3 s: kills land between "the provider acted" and "we heard".
            "CONNECTOR_SANDBOX_LATENCY_SECONDS": "0.3",
            "CONNECTOR_TOKEN_API_HMAC_SECRET": SECRET,
            "CONNECTOR_DB_POOL_SIZE": "10",
            "CONNECTOR_LOG_JSON": "true",
            "PUBLICAPI_CONNECTOR_URL": f"http://127.0.0.1:{connector_port}",
            "PUBLICAPI_BASE_URL": f"http://127.0.0.1:{public_port}",
            "PUBLICAPI_TOKEN_API_HMAC_SECRET": SECRET,
            "PUBLICAPI_RATE_LIMITER_VALUE": "100000",
            "PUBLICAPI_RATE_LIMITER_VALUE_POST": "100000",
        }
    )
    return env


async def main(kills: int, seed: int, keep: bool) -> int:
    admin_url, where = await find_test_server()
    name = f"pay_chaos_{os.getpid()}_{secrets.token_hex(3)}"
    await create_database(admin_url, name)
    db_url = with_database(admin_url, name)
    work = Path(tempfile.mkdtemp(prefix="pay-chaos-"))
    ledger = work / "sandbox-ledger.jsonl"
    print(f"• database {name} on {where}; logs and ledger in {work}")
    web_port, public_port = free_port(), free_port()
    env = service_env(db_url, ledger, web_port, public_port)
    # The web process takes requests only; the job worker runs captures and the sweeps.
    web = Service(
        "connector",
        "connector.main:app",
        web_port,
        {**env, "CONNECTOR_RUN_WORKER": "false"},
        work / "connector.log",
    )
    worker = Service(
        "worker", "connector.worker", 0, env, work / "worker.log", command=[PYTHON, "-m", "connector.worker"]
    )
    public = Service(
        "publicapi",
        "publicapi.main:app",
        public_port,
        service_env(db_url, ledger, web_port, public_port),
        work / "publicapi.log",
    )
    services = [web, worker, public]
    try:
        await upgrade_async(db_url)
        for service in services:
            service.start()
        for service in services:
            await service.wait_ready()
        admin = AdminClient(f"http://127.0.0.1:{web_port}")
        account = admin.create_account(service_name="Chaos")
        key = admin.create_key(str(account["gateway_account_id"]), description="chaos", created_by="chaos")
        admin.close()
        run = Run()
        headers = {"Authorization": f"Bearer {key}"}
        started = time.monotonic()
        async with (
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{public_port}", headers=headers, timeout=30
            ) as public_client,
            # The card details go to connector as the payment pages send them: with their service token.
            httpx.AsyncClient(
                base_url=f"http://127.0.0.1:{web_port}", headers=FRONTEND_HEADERS, timeout=30
            ) as connector_client,
        ):
            await asyncio.gather(
                traffic(run, seed, public_client, connector_client),
                chaos_monkey(run, seed, [web, worker], kills),
            )
        last_kill = time.monotonic()
        print(
            f"• {len(run.kills)} kills in {last_kill - started:.0f} s ({dict(Counter(run.kills))}); {run.retries} client retries"
        )
        db = await asyncpg.connect(
            make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
        )
        try:
            recovered_in = await wait_for_recovery(db, last_kill)
            print(
                f"• intent states resolved {recovered_in:.0f} s after the last kill (bound {RECOVERY_BOUND_SECONDS:.0f} s)"
            )
            report = await verify(run, db, ledger)
        finally:
            await db.close()
        for label, value in report.items():
            print(f"  {label.lstrip('_'):<48} {value}")
        print(f"  {'requests refused while a process was down':<48} {dict(run.refused)}")
        failed = [label for label in MUST_BE_ZERO if report[label]]
        print("• FAILED: " + ", ".join(failed) if failed else "• every check passed")
        if not failed and not keep:
            shutil.rmtree(work, ignore_errors=True)
        return 1 if failed else 0
    except ChaosError as exc:
        print(f"• could not go on: {exc}")
        return 2
    finally:
        for service in services:
            service.stop()
        if not keep:
            await drop_database(admin_url, name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database, logs and ledger afterwards")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.kills, arguments.seed, arguments.keep)))
