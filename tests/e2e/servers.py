"""The services as real uvicorn servers, each in its own thread, on free ports.

A :class:`ServerThread` keeps its listening socket from creation to :meth:`ServerThread.close`,
so its URL stays the same while the app behind it is started and stopped again (connector gets
a fresh one per test, its worker loops with it). Between two runs connections wait in the
socket's backlog.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI


def _listening_socket() -> socket.socket:
    # Bound before uvicorn starts, so no other process can take the port in between.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock


@dataclass
class ServerThread:
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
            asyncio.run(server.serve(sockets=[sock]))

        self.thread = threading.Thread(target=run, name=f"e2e-{self.name}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop serving (the app's lifespan ends, awaiting its worker loops); the socket stays."""
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)
            if self.thread.is_alive():
                raise RuntimeError(f"{self.name} did not stop within 15 s")
        self.server = self.thread = None

    def close(self) -> None:
        self.stop()
        self.sock.close()
