"""The three services as real uvicorn servers, each in its own thread, on free ports."""

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

        def run() -> None:
            asyncio.run(server.serve(sockets=[self.sock]))

        self.thread = threading.Thread(target=run, name=f"e2e-{self.name}", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=15)
        self.sock.close()
