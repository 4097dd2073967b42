"""Real servers on free ports for tests that need a URL rather than an app.

* :func:`serve_connector`: connector in a process of its own (uvicorn), on a database.
* :class:`ServerThread` and :func:`serve`: an app served by uvicorn in a thread of this process.

Every port is taken by binding port 0 (never the shared 9100/9200/9300), and every server is
stopped, and waited for, by the code that started it: the leak guard (pay_common.testing.leaks)
fails a test that leaves one running.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import httpx
import uvicorn
from fastapi import FastAPI
from starlette.types import ASGIApp

#: How long a server may take to start. Generous: on a 2-CPU machine at load 18 a connector
#: process took 28 s to answer its first healthcheck.
START_TIMEOUT = 120.0


@contextmanager
def serve_connector(database_url: str, *, pool_size: int = 2) -> Iterator[str]:
    """Serve connector (uvicorn, own process) on ``database_url``; yields its base URL.

    A separate process, not a thread, so its log lines never mix into output a test
    captures (CliRunner, capsys). The listening socket is made here and inherited, so
    there is no race for the port. ``pool_size``: its idle connections (a benchmark wants as
    many as it has requests in flight: one beyond the pool is opened and closed per request).
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
        "CONNECTOR_DB_POOL_SIZE": str(pool_size),  # the test server's are shared (tests/conftest.py)
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
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"connector exited during start-up with code {process.returncode}")
        try:
            if httpx.get(f"{url}/healthcheck", timeout=10).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("connector did not become healthy")


def _listening_socket() -> socket.socket:
    # Bound and listening before uvicorn starts, so no other process can take the port in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@dataclass
class ServerThread:
    """An app served by uvicorn in a thread (its own event loop, its lifespan running).

    The listening socket lives from creation to :meth:`close`, so the URL stays the same while
    apps behind it are started and stopped (the e2e tests serve a fresh connector per test).
    Between two of them, connections wait in the socket's backlog.
    """

    name: str
    sock: socket.socket = field(default_factory=_listening_socket)
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port: int = self.sock.getsockname()[1]
        return port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, app: FastAPI) -> None:
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self.server = uvicorn.Server(config)
        server = self.server
        # uvicorn closes the sockets it serves on when it stops: give it a duplicate of ours.
        sock = self.sock.dup()

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            finally:
                sock.close()

        self.thread = threading.Thread(target=run, name=f"server-{self.name}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop serving and wait for it: the app's lifespan ends (awaiting its worker loops)."""
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)
            if self.thread.is_alive():
                raise RuntimeError(f"{self.name} did not stop within 15 s")
        self.server = self.thread = None

    def close(self) -> None:
        """Stop serving and release the port."""
        try:
            self.stop()
        finally:
            self.sock.close()


@contextmanager
def serve(app: FastAPI, name: str = "app") -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1:<free port> for the block; yields its base URL."""
    server = ServerThread(name)
    try:
        server.start(app)
        yield server.url
    finally:
        server.close()


@asynccontextmanager
async def serve_in_loop(app: ASGIApp) -> AsyncIterator[str]:
    """Serve a small ASGI app (a third party's stand-in) on the test's own event loop.

    Yields its base URL; the server has stopped when the block ends.
    """
    sock = _listening_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("server did not start")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
