"""Create-payment throughput: publicapi → connector → PostgreSQL, connector alone, and the bare ceiling.

Run: ``.venv/bin/python -m scripts.bench.create_payment`` (``make bench`` runs it).

Each target is a real uvicorn process (one worker) on a free port, on a fresh benchmark
database; wrk (C, installed from Debian's packages when missing) drives 32 keep-alive
connections at it. Prints requests/s, p50 and p99 per target and the ratios.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from connector.cli import ADMIN_CALLER
from pay_common.embedded import create_database, drop_database, with_database
from pay_common.service_auth import DEVELOPMENT_KEY, MAX_TTL_SECONDS, SERVICE_TOKEN_HEADER, ServiceTokenSigner
from pay_common.testing.database import find_test_server

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).with_name("wrk_post.lua")
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
DURATION = os.environ.get("BENCH_DURATION", "15s")
HMAC_SECRET = "bench-hmac-secret"
#: Connector refuses its API without a service token; the services run with development keys here.
SERVICE_TOKEN = ServiceTokenSigner(ADMIN_CALLER, DEVELOPMENT_KEY).mint(MAX_TTL_SECONDS)
SERVICE_HEADERS = {SERVICE_TOKEN_HEADER: SERVICE_TOKEN}


@dataclass
class Result:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("• installing wrk (Debian package)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def start(app: str, port: int, env: dict[str, str], *, timeout: float = 30) -> subprocess.Popen[bytes]:
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--port",
        str(port),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthcheck", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{app} did not start")


def _ms(value: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value)
    if found is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}[unit]


def run_wrk(wrk: str, name: str, url: str, api_key: str = "") -> Result:
    env = {**os.environ, "BENCH_API_KEY": api_key, "BENCH_SERVICE_TOKEN": SERVICE_TOKEN}
    # A short warm-up so connection pools and caches are filled before measuring.
    subprocess.run(
        [wrk, "-t2", f"-c{CONNECTIONS}", "-d3s", "-s", str(LUA), url], env=env, capture_output=True
    )
    out = subprocess.run(
        [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", "-s", str(LUA), url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non_2xx_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return Result(name, rps, p50, p99, int(non_2xx_match.group(1)) if non_2xx_match else 0)


def service_env(db_url: str, connector_port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "CONNECTOR_DATABASE_URL": db_url,
            "CONNECTOR_RUN_WORKER": "false",
            "CONNECTOR_LOG_LEVEL": "WARNING",
            "CONNECTOR_TOKEN_API_HMAC_SECRET": HMAC_SECRET,
            "PUBLICAPI_TOKEN_API_HMAC_SECRET": HMAC_SECRET,
            "PUBLICAPI_CONNECTOR_URL": f"http://127.0.0.1:{connector_port}",
            "PUBLICAPI_LOG_LEVEL": "WARNING",
            # Limits high enough never to trigger: the limiter still runs on every request.
            "PUBLICAPI_RATE_LIMITER_VALUE_POST": "100000000",
            "PUBLICAPI_RATE_LIMITER_VALUE": "100000000",
            "BENCH_DATABASE_URL": db_url,
        }
    )
    return env


def create_account_and_key(connector: str) -> tuple[str, str]:
    account = httpx.post(
        f"{connector}/v1/api/accounts",
        json={"payment_provider": "sandbox", "service_id": secrets.token_hex(8), "service_name": "Bench"},
        headers=SERVICE_HEADERS,
    ).json()
    account_id = str(account["gateway_account_id"])
    key = httpx.post(
        f"{connector}/v1/frontend/auth",
        json={"account_id": account_id, "description": "bench", "created_by": "bench"},
        headers=SERVICE_HEADERS,
    ).json()["token"]
    return account_id, key


def main() -> None:
    wrk = ensure_wrk()
    admin_url, where = asyncio.run(find_test_server())
    name = f"pay_bench_{secrets.token_hex(4)}"
    asyncio.run(create_database(admin_url, name))
    db_url = with_database(admin_url, name)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        from connector.migrate import upgrade

        upgrade(db_url)
        connector_port, publicapi_port, bare_port = free_port(), free_port(), free_port()
        env = service_env(db_url, connector_port)
        processes.append(start("connector.main:app", connector_port, env))
        processes.append(start("publicapi.main:app", publicapi_port, env))
        processes.append(start("scripts.bench.bare_app:app", bare_port, env))
        account_id, key = create_account_and_key(f"http://127.0.0.1:{connector_port}")
        results = [
            run_wrk(wrk, "bare FastAPI + asyncpg INSERT", f"http://127.0.0.1:{bare_port}/v1/payments"),
            run_wrk(
                wrk,
                "connector POST /v1/api/accounts/{id}/charges",
                f"http://127.0.0.1:{connector_port}/v1/api/accounts/{account_id}/charges",
            ),
            run_wrk(
                wrk, "publicapi POST /v1/payments", f"http://127.0.0.1:{publicapi_port}/v1/payments", key
            ),
        ]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
        asyncio.run(drop_database(admin_url, name))
    ceiling = results[0].requests_per_second
    print(f"\nCreate payment, {CONNECTIONS} connections, {DURATION} per target, PostgreSQL: {where}\n")
    print("| target | requests/s | p50 ms | p99 ms | non-2xx | share of ceiling |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        share = r.requests_per_second / ceiling * 100
        row = f"| {r.name} | {r.requests_per_second:.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.non_2xx} | {share:.0f}% |"
        print(row)


if __name__ == "__main__":
    main()
