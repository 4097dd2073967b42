"""Start a third-party stand-in as its own process on a free port; stop it when the block ends.

The listening socket is bound here (port 0) and inherited by the child, so there is no race
for the port and the URL is known before the child starts.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def serve_process(
    command: Callable[[int], list[str]],
    *,
    env: dict[str, str] | None = None,
    env_for: Callable[[str], dict[str, str]] | None = None,
    ready_path: str = "/",
    ready_status: int | None = None,
) -> Iterator[str]:
    """Run ``command(fd)`` with a listening socket on ``fd``; yields ``http://127.0.0.1:<port>``.

    ``env_for(url)`` adds variables that need the URL. Ready when ``ready_path`` answers (with
    ``ready_status``, when given).
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    process = subprocess.Popen(
        [sys.executable, *command(sock.fileno())],
        env={**os.environ, **(env or {}), **(env_for(url) if env_for else {}), "STUB_BASE_URL": url},
        pass_fds=[sock.fileno()],
        stdout=None if os.environ.get("STUB_DEBUG") else subprocess.DEVNULL,
        stderr=None if os.environ.get("STUB_DEBUG") else subprocess.DEVNULL,
    )
    try:
        _wait_until_up(url + ready_path, process, ready_status)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        sock.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], status: int | None) -> None:
    # Generous: on a loaded machine a cold interpreter start-up takes many seconds.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited during start-up with code {process.returncode}")
        try:
            answered = httpx.get(url, timeout=1).status_code
        except httpx.HTTPError:
            answered = None
        if answered is not None and status in (None, answered):
            return
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} did not start")


WORLDPAY_USERS = {
    "one_off_customer_initiated": {
        "merchant_code": "MERCHANTONEOFF",
        "username": "oneoff-user",
        "password": "oneoff-pass",
    },
    "recurring_customer_initiated": {
        "merchant_code": "MERCHANTRECCIT",
        "username": "rcit-user",
        "password": "rcit-pass",
    },
    "recurring_merchant_initiated": {
        "merchant_code": "MERCHANTRECMIT",
        "username": "rmit-user",
        "password": "rmit-pass",
    },
}


@contextmanager
def serve_worldpay_stub(*, slow_seconds: float = 5.0) -> Iterator[str]:
    users = ",".join(f"{u['username']}:{u['password']}:{u['merchant_code']}" for u in WORLDPAY_USERS.values())
    with serve_process(
        lambda fd: [
            "-m",
            "uvicorn",
            "--factory",
            "tests.stubs.worldpay:create_app",
            "--fd",
            str(fd),
            "--log-level",
            "warning",
        ],
        env={"WORLDPAY_STUB_USERS": users, "WORLDPAY_STUB_SLOW_SECONDS": str(slow_seconds)},
    ) as url:
        yield url


@contextmanager
def serve_localstripe() -> Iterator[str]:
    with serve_process(
        lambda fd: ["-m", "tests.stubs.localstripe_server", str(fd)], ready_path="/_config/shim/ready"
    ) as url:
        yield url
