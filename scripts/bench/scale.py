"""Scale-out check: two publicapi, two connector and two worker processes behind HAProxy.

Run: ``make bench-scale`` (``.venv/bin/python -m scripts.bench.scale``). Needs Debian's haproxy
and redis-server (``scripts/install_deploy_tools.sh`` installs haproxy).

1. The same payment journey load (create through publicapi, card details through connector's
   frontend API, capture by the workers) against one replica of each, then two.
2. A burst on one account against one publicapi, then against two sharing Redis: the same 429s.
3. Under load with two replicas, one replica of each role is stopped (SIGTERM) mid-run: every
   payment whose creation was answered 201 must still end CAPTURED, and each exactly once.

Prints requests/s, p99 and CPU per journey for one replica vs two, and the checks' results.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import psutil

from connector.cli import ADMIN_CALLER
from pay_common.embedded import create_database, drop_database, with_database
from pay_common.service_auth import DEVELOPMENT_KEY, MAX_TTL_SECONDS, SERVICE_TOKEN_HEADER, ServiceTokenSigner
from pay_common.testing.database import find_test_server
from scripts.bench.create_payment import free_port, start

ROOT = Path(__file__).resolve().parents[2]
CONCURRENCY = int(os.environ.get("BENCH_SCALE_CONCURRENCY", "16"))
SECONDS = float(os.environ.get("BENCH_SCALE_SECONDS", "20"))
BURST = 30
BURST_LIMIT = 10
HMAC_SECRET = "bench-hmac-secret"
ADMIN = {SERVICE_TOKEN_HEADER: ServiceTokenSigner(ADMIN_CALLER, DEVELOPMENT_KEY).mint(MAX_TTL_SECONDS)}
FRONTEND = {SERVICE_TOKEN_HEADER: ServiceTokenSigner("frontend", DEVELOPMENT_KEY).mint(MAX_TTL_SECONDS)}
CARD = {
    "card_number": "4242424242424242",
    "cvc": "123",
    "expiry_date": "11/30",
    "card_brand": "visa",
    "cardholder_name": "Bench",
    "address": {"line1": "1 Street", "city": "City", "postcode": "W1 2CP", "country": "GB"},
}
PAYMENT = {"amount": 1200, "description": "Scale", "reference": "SCALE", "return_url": "https://s.example/r"}


@dataclass
class Load:
    created: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def journeys_per_second(self) -> float:
        return len(self.created) / self.seconds

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[int(len(ordered) * 0.99)] * 1000 if ordered else 0.0

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500) + self.errors


class Platform:
    """The processes and the load balancer; :meth:`haproxy` switches between 1 and 2 replicas."""

    def __init__(self, db_url: str, workdir: Path) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.redis_port = free_port()
        self.lb_publicapi, self.lb_connector = free_port(), free_port()
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.ports: dict[str, int] = {}
        self.proxy: subprocess.Popen[bytes] | None = None

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "CONNECTOR_DATABASE_URL": self.db_url,
            "CONNECTOR_LOG_LEVEL": "WARNING",
            "CONNECTOR_TOKEN_API_HMAC_SECRET": HMAC_SECRET,
            "PUBLICAPI_TOKEN_API_HMAC_SECRET": HMAC_SECRET,
            "PUBLICAPI_LOG_LEVEL": "WARNING",
            "PUBLICAPI_CONNECTOR_URL": f"http://127.0.0.1:{self.lb_connector}",
            "PUBLICAPI_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "PUBLICAPI_RATE_LIMITER_VALUE_POST": "100000000",
            "PUBLICAPI_RATE_LIMITER_VALUE": "100000000",
            "PUBLICAPI_RATE_LIMITER_LOW_TRAFFIC_VALUE_POST": str(BURST_LIMIT),
            # On a saturated 2-CPU machine Redis answers late; the default 0.25 s timeout would send
            # publicapi to its per-process fallback limits, which is not what this run measures.
            "PUBLICAPI_REDIS_COMMAND_TIMEOUT_SECONDS": "3",
            "PUBLICAPI_REDIS_CONNECT_TIMEOUT_SECONDS": "3",
            **extra,
        }

    def start_redis(self) -> None:
        command = ["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"]
        self.processes["redis"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)

    def start_service(self, name: str, app: str, env: dict[str, str]) -> None:
        port = free_port()
        self.ports[name] = port
        # Six processes importing at once on a 2-CPU machine: give each up to two minutes.
        self.processes[name] = start(app, port, env, timeout=120)

    def start_worker(self, name: str) -> None:
        """A job worker (``python -m connector.worker``): no listener, it takes jobs from PostgreSQL."""
        command = [sys.executable, "-m", "connector.worker"]
        self.processes[name] = subprocess.Popen(command, env=self.env(CONNECTOR_RUN_WORKER="false"), cwd=ROOT)

    def haproxy(self, replicas: int) -> None:
        if self.proxy is not None:
            self.proxy.terminate()
            self.proxy.wait(timeout=10)
        config = self.workdir / "haproxy.cfg"
        config.write_text(self._config(replicas))
        self.proxy = subprocess.Popen([_haproxy(), "-f", str(config), "-db"], stdout=subprocess.DEVNULL)
        time.sleep(1.5)

    def _config(self, replicas: int) -> str:
        def backend(role: str) -> str:
            servers = "\n".join(
                f"    server {role}{i} 127.0.0.1:{self.ports[f'{role}{i}']} check inter 1s fall 3 rise 2"
                for i in range(1, replicas + 1)
            )
            return f"backend {role}\n    balance roundrobin\n    option httpchk GET /healthcheck\n{servers}\n"

        return (
            "global\n    maxconn 4096\n"
            "defaults\n    mode http\n    timeout connect 2s\n    timeout client 30s\n    timeout server 30s\n"
            "    timeout check 5s\n    retries 3\n    option redispatch\n    retry-on conn-failure empty-response\n"
            f"frontend publicapi_in\n    bind 127.0.0.1:{self.lb_publicapi}\n    default_backend publicapi\n"
            f"frontend connector_in\n    bind 127.0.0.1:{self.lb_connector}\n    default_backend connector\n"
            + backend("publicapi")
            + backend("connector")
        )

    def cpu_seconds(self) -> float:
        total = 0.0
        for name, process in self.processes.items():
            if name != "redis" and process.poll() is None:
                times = psutil.Process(process.pid).cpu_times()
                total += times.user + times.system
        return total

    def stop(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)

    def close(self) -> None:
        for process in [*self.processes.values(), *([self.proxy] if self.proxy else [])]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.processes.values(), *([self.proxy] if self.proxy else [])]:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _haproxy() -> str:
    return (
        shutil.which("haproxy")
        or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else "")
        or sys.exit("haproxy is not installed: run scripts/install_deploy_tools.sh")
    )


def setup_accounts(connector: str) -> dict[str, tuple[str, str]]:
    """journey, burst-1 and burst-2 accounts with their API keys (ids 1, 2, 3 on a fresh database)."""
    accounts = {}
    with httpx.Client(base_url=connector, headers=ADMIN) as client:
        for name in ("journey", "burst-1", "burst-2"):
            body = {"payment_provider": "sandbox", "service_id": secrets.token_hex(8), "service_name": name}
            account_id = str(client.post("/v1/api/accounts", json=body).json()["gateway_account_id"])
            key_body = {"account_id": account_id, "description": name, "created_by": "bench"}
            accounts[name] = (account_id, client.post("/v1/frontend/auth", json=key_body).json()["token"])
    return accounts


async def journey(publicapi: httpx.AsyncClient, connector: httpx.AsyncClient, load: Load) -> None:
    started = time.perf_counter()
    try:
        created = await publicapi.post("/v1/payments", json=PAYMENT)
        load.latencies.append(time.perf_counter() - started)
        load.statuses[created.status_code] = load.statuses.get(created.status_code, 0) + 1
        if created.status_code != 201:
            return
        payment_id = created.json()["payment_id"]
        load.created.append(payment_id)
        cards = await connector.post(f"/v1/frontend/charges/{payment_id}/cards", json=CARD)
        load.statuses[cards.status_code] = load.statuses.get(cards.status_code, 0) + 1
        # The confirm page's step: the capture is approved, the workers carry it out.
        confirmed = await connector.post(f"/v1/frontend/charges/{payment_id}/capture")
        load.statuses[confirmed.status_code] = load.statuses.get(confirmed.status_code, 0) + 1
    except httpx.HTTPError:
        load.errors += 1


async def run_load(platform: Platform, api_key: str, seconds: float, *, kill_at: float | None = None) -> Load:
    load = Load()
    deadline = time.monotonic() + seconds
    cpu_before = platform.cpu_seconds()
    publicapi = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{platform.lb_publicapi}",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=30,
    )
    connector = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{platform.lb_connector}", headers=FRONTEND, timeout=30
    )

    async def user() -> None:
        while time.monotonic() < deadline:
            await journey(publicapi, connector, load)

    async def killer() -> None:
        assert kill_at is not None
        await asyncio.sleep(kill_at)
        for name in ("publicapi1", "connector1", "worker1"):
            cpu_before_stop = platform.cpu_seconds()
            await asyncio.to_thread(platform.stop, name)
            # The stopped process's CPU is no longer counted: keep what it had used.
            load.cpu_seconds += cpu_before_stop - platform.cpu_seconds()
            print(f"  stopped {name} (SIGTERM) at {time.monotonic() - (deadline - seconds):.1f} s")

    began = time.monotonic()
    try:
        await asyncio.gather(*(user() for _ in range(CONCURRENCY)), *([killer()] if kill_at else []))
    finally:
        await publicapi.aclose()
        await connector.aclose()
    load.seconds = time.monotonic() - began
    load.cpu_seconds += platform.cpu_seconds() - cpu_before
    return load


async def burst(platform: Platform, api_key: str) -> int:
    """How many of :data:`BURST` concurrent creates on one account are refused with 429."""
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{platform.lb_publicapi}",
        headers={"Authorization": f"Bearer {api_key}"},
        timeout=30,
    ) as client:
        responses = await asyncio.gather(*(client.post("/v1/payments", json=PAYMENT) for _ in range(BURST)))
    return sum(1 for response in responses if response.status_code == 429)


async def captures(db_url: str, payment_ids: list[str], wait_seconds: float = 90) -> tuple[int, int, int]:
    """(captured, not captured, captured more than once) once the workers are done (or time is up)."""
    dsn = db_url.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn)
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            rows = await connection.fetch(
                """SELECT c.external_id, c.status,
                          (SELECT count(*) FROM charge_events e WHERE e.charge_id = c.id AND e.status = 'CAPTURED') AS n
                   FROM charges c WHERE c.external_id = ANY($1::text[])""",
                payment_ids,
            )
            captured = sum(1 for row in rows if row["status"] == "CAPTURED")
            if captured == len(payment_ids) or time.monotonic() > deadline:
                twice = sum(1 for row in rows if row["n"] > 1)
                return captured, len(payment_ids) - captured, twice
            await asyncio.sleep(1)
    finally:
        await connection.close()


def report(name: str, load: Load) -> str:
    per_journey_ms = load.cpu_seconds / max(len(load.created), 1) * 1000
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(load.statuses.items()))
    return (
        f"| {name} | {len(load.created)} | {load.journeys_per_second:.1f} | {load.p99_ms:.0f} | "
        f"{per_journey_ms:.1f} | {load.server_errors} | {statuses} |"
    )


def main() -> None:
    admin_url, where = asyncio.run(find_test_server())
    name = f"pay_bench_scale_{secrets.token_hex(4)}"
    asyncio.run(create_database(admin_url, name))
    db_url = with_database(admin_url, name)
    workdir = Path(tempfile.mkdtemp(prefix="pay-bench-scale-"))
    platform = Platform(db_url, workdir)
    try:
        from connector.migrate import upgrade

        upgrade(db_url)
        platform.start_redis()
        for i in (1, 2):
            platform.start_service(
                f"connector{i}", "connector.main:app", platform.env(CONNECTOR_RUN_WORKER="false")
            )
            platform.start_worker(f"worker{i}")
        accounts = setup_accounts(f"http://127.0.0.1:{platform.ports['connector1']}")
        low_traffic = f"{accounts['burst-1'][0]},{accounts['burst-2'][0]}"
        for i in (1, 2):
            env = platform.env(PUBLICAPI_RATE_LIMITER_LOW_TRAFFIC_ACCOUNTS=low_traffic)
            platform.start_service(f"publicapi{i}", "publicapi.main:app", env)
        key = accounts["journey"][1]

        platform.haproxy(1)
        one = asyncio.run(run_load(platform, key, SECONDS))
        refused_one = asyncio.run(burst(platform, accounts["burst-1"][1]))
        platform.haproxy(2)
        two = asyncio.run(run_load(platform, key, SECONDS))
        refused_two = asyncio.run(burst(platform, accounts["burst-2"][1]))
        print("• two replicas each, stopping one of each mid-run")
        killed = asyncio.run(run_load(platform, key, SECONDS, kill_at=SECONDS / 2))
        captured, missing, twice = asyncio.run(captures(db_url, one.created + two.created + killed.created))
    finally:
        platform.close()
        shutil.rmtree(workdir, ignore_errors=True)
        asyncio.run(drop_database(admin_url, name))

    print(
        f"\nPayment journeys (create + card details + capture), {CONCURRENCY} users, {SECONDS:.0f} s each, PostgreSQL: {where}\n"
    )
    print(
        "| replicas of each | journeys | journeys/s | create p99 ms | CPU ms per journey | 5xx or errors | statuses |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
    print(report("1", one))
    print(report("2", two))
    print(report("2, one of each stopped mid-run", killed))
    print(
        f"\nBurst of {BURST} creates on one account (limit {BURST_LIMIT}): 429s with 1 publicapi = {refused_one}, with 2 = {refused_two}"
    )
    print(f"Captured: {captured}, not captured: {missing}, captured more than once: {twice}")


if __name__ == "__main__":
    main()
