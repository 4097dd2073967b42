"""A real connector process on a free port, for tests that need a URL rather than an app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx


@contextmanager
def serve_connector(database_url: str) -> Iterator[str]:
    """Serve connector (uvicorn, own process) on ``database_url``; yields its base URL.

    A separate process, not a thread, so its log lines never mix into output a test
    captures (CliRunner, capsys). The listening socket is made here and inherited, so
    there is no race for the port.
    """
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "CONNECTOR_DATABASE_URL": database_url,
        "CONNECTOR_RUN_WORKER": "false",
        "CONNECTOR_BASE_URL": url,
    }
    command = [sys.executable, "-m", "uvicorn", "connector.main:app", "--fd", str(sock.fileno())]
    process = subprocess.Popen(
        command, env=env, pass_fds=[sock.fileno()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_healthy(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        sock.close()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes]) -> None:
    # Generous: a cold interpreter importing the stack takes seconds on a loaded 2-CPU machine.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"connector exited during start-up with code {process.returncode}")
        try:
            if httpx.get(f"{url}/healthcheck", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("connector did not become healthy")
