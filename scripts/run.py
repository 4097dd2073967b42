"""`make run`: the whole platform on one machine.

1. PostgreSQL: ``DATABASE_URL`` if set, else an embedded server with its data in
   ``.data/postgres`` (kept between runs).
2. Alembic migrations.
3. connector (9300), publicapi (9100) and the payment pages (9200), each a uvicorn
   process, and one job worker (``python -m connector.worker``: captures, sweeps, event
   publishing; ``CONNECTOR_WORKERS=n`` starts n); the connector's admin port too when
   ``CONNECTOR_ADMIN_PORT`` is set; then the demo account and API key, when present.
4. Ctrl-C stops every service and worker (gracefully: running jobs finish), then PostgreSQL.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".data"
PYTHON = sys.executable


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


#: h11 bounds the request head it buffers (64 KiB; httptools buffers any size); pay_common's
#: RequestLimitsMiddleware then refuses more than 100 headers or 32 KiB of them with 431.
UVICORN_LIMITS = ["--http", "h11", "--h11-max-incomplete-event-size", "65536"]

SERVICES = [
    # (name, ASGI app, port env var, default port)
    ("connector", "connector.main:app", "CONNECTOR_PORT", 9300),
    ("publicapi", "publicapi.main:app", "PUBLICAPI_PORT", 9100),
    ("frontend", "frontend.main:app", "FRONTEND_PORT", 9200),
    ("webhooks", "webhooks.main:app", "WEBHOOKS_PORT", 9400),
]
#: Job workers: (module run with ``python -m``, how many env var, what it does).
WORKERS = [
    ("connector.worker", "CONNECTOR_WORKERS", "captures, sweeps, event publishing"),
    ("webhooks.worker", "WEBHOOKS_WORKERS", "webhook deliveries"),
]
#: Services with interactive API documentation at /docs (the payment pages have none).
DOCUMENTED = frozenset({"connector", "publicapi"})


def bind_host() -> str:
    """Loopback unless ``PAY_BIND_HOST`` says otherwise: connector's account and key routes are
    for operators, so a developer's machine must not serve them to its network by default."""
    return os.environ.get("PAY_BIND_HOST", "127.0.0.1")


def database_url() -> tuple[str, object | None]:
    """The configured database, or a database ``pay`` on an embedded server."""
    from pay_common.embedded import admin_url_of, create_database, start_embedded, with_database

    configured = os.environ.get("DATABASE_URL")
    if configured:
        return configured, None
    print("• starting embedded PostgreSQL (data in .data/postgres)")
    server = start_embedded(DATA_DIR / "postgres")
    admin_url = admin_url_of(server)
    asyncio.run(create_database(admin_url, "pay", exist_ok=True))
    return with_database(admin_url, "pay"), server


def service_env(db_url: str) -> dict[str, str]:
    connector_port = _port("CONNECTOR_PORT", 9300)
    publicapi_port = _port("PUBLICAPI_PORT", 9100)
    frontend_port = _port("FRONTEND_PORT", 9200)
    webhooks_port = _port("WEBHOOKS_PORT", 9400)
    env = dict(os.environ)
    env.update(
        {
            "CONNECTOR_DATABASE_URL": db_url,
            "CONNECTOR_BASE_URL": env.get("CONNECTOR_BASE_URL", f"http://localhost:{connector_port}"),
            "CONNECTOR_FRONTEND_URL": env.get("CONNECTOR_FRONTEND_URL", f"http://localhost:{frontend_port}"),
            "PUBLICAPI_BASE_URL": env.get("PUBLICAPI_BASE_URL", f"http://localhost:{publicapi_port}"),
            "PUBLICAPI_CONNECTOR_URL": f"http://127.0.0.1:{connector_port}",
            "FRONTEND_BASE_URL": env.get("FRONTEND_BASE_URL", f"http://localhost:{frontend_port}"),
            "FRONTEND_CONNECTOR_URL": f"http://127.0.0.1:{connector_port}",
            "CONNECTOR_LOG_JSON": env.get("CONNECTOR_LOG_JSON", "false"),
            # The jobs run in the worker processes below, not inside the web process.
            "CONNECTOR_RUN_WORKER": "false",
            "PUBLICAPI_LOG_JSON": env.get("PUBLICAPI_LOG_JSON", "false"),
            "FRONTEND_LOG_JSON": env.get("FRONTEND_LOG_JSON", "false"),
            "WEBHOOKS_DATABASE_URL": db_url,
            "WEBHOOKS_CONNECTOR_URL": f"http://127.0.0.1:{connector_port}",
            "WEBHOOKS_LOG_JSON": env.get("WEBHOOKS_LOG_JSON", "false"),
            "CONNECTOR_WEBHOOKS_EVENTS_URL": f"http://127.0.0.1:{webhooks_port}/v1/events",
        }
    )
    return env


def start_services(env: dict[str, str]) -> list[tuple[str, int, subprocess.Popen[bytes]]]:
    started = []
    services = list(SERVICES)
    if env.get("CONNECTOR_ADMIN_PORT"):
        services.append(("admin", "connector.main:admin_app", "CONNECTOR_ADMIN_PORT", 9301))
    for name, app, port_var, default in services:
        port = _port(port_var, default)
        command = [
            PYTHON,
            "-m",
            "uvicorn",
            app,
            "--host",
            bind_host(),
            "--port",
            str(port),
            "--no-access-log",
        ]
        command += UVICORN_LIMITS
        started.append((name, port, subprocess.Popen(command, env=env, cwd=ROOT)))
    return started


def start_workers(env: dict[str, str]) -> list[tuple[str, str, subprocess.Popen[bytes]]]:
    started = []
    for module, count_var, purpose in WORKERS:
        for _ in range(int(env.get(count_var, "1"))):
            started.append((module, purpose, subprocess.Popen([PYTHON, "-m", module], env=env, cwd=ROOT)))
    return started


def wait_until_healthy(services: list[tuple[str, int, subprocess.Popen[bytes]]], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    for name, port, process in services:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with code {process.returncode}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthcheck", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"{name} did not become healthy on port {port}")
            time.sleep(0.2)


def after_start(env: dict[str, str]) -> None:
    """Extra steps once every service answers (for example the demo account and API key)."""
    demo = ROOT / "scripts" / "demo.py"
    if demo.exists():
        subprocess.run([PYTHON, str(demo)], env=env, cwd=ROOT, check=False)


def main() -> None:
    db_url, server = database_url()
    print("• applying migrations")
    from connector.migrate import upgrade

    upgrade(db_url)
    from webhooks.migrate import upgrade as upgrade_webhooks

    upgrade_webhooks(db_url)
    env = service_env(db_url)
    services = start_services(env)
    workers = start_workers(env)
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        if stopping:
            return
        stopping = True
        print("\n• stopping services")
        processes = [process for _name, _port, process in services] + [w for _m, _p, w in workers]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        if server is not None:
            print("• stopping PostgreSQL")
            server.cleanup()  # type: ignore[attr-defined]
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        wait_until_healthy(services)
    except SystemExit:
        stop()
        raise
    print()
    for name, port, _ in services:
        docs = f"   (docs: http://localhost:{port}/docs)" if name in DOCUMENTED else ""
        print(f"  {name:<10} http://localhost:{port}{docs}")
    for module, purpose, worker in workers:
        print(f"  worker     python -m {module} (pid {worker.pid}): {purpose}")
    print(f"  database   {db_url if server is None else 'embedded PostgreSQL, data in .data/postgres'}")
    after_start(env)
    print("\nPress Ctrl-C to stop everything.")
    while True:
        for name, process in [(name, process) for name, _, process in services] + [
            (module, w) for module, _purpose, w in workers
        ]:
            if process.poll() is not None:
                print(f"{name} exited with code {process.returncode}")
                stop()
        time.sleep(1)


if __name__ == "__main__":
    main()
