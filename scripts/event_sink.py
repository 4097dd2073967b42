"""A receiver for the connector's event sink: verifies each signed batch and keeps the events.

Used by the tests, ``scripts/chaos_workers.py`` and the events benchmark, and a reference for what
a ledger or data warehouse would run: check ``Pay-Signature`` (hex HMAC-SHA256 of the body with
the shared secret), store the events, answer 2xx only then. ``fail_next`` makes it refuse
batches (HTTP 503) to exercise the publisher's retries.
"""

from __future__ import annotations

import asyncio
import hmac
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
import uvicorn

from connector.events.consumers import SIGNATURE_HEADER, sign

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


@dataclass
class EventSink:
    secret: bytes
    fail_next: int = 0
    #: Seconds each batch takes to be taken (a slow consumer: publish jobs stay in flight longer).
    delay: float = 0.0
    events: list[dict[str, Any]] = field(default_factory=list)
    #: time.time() at receipt, one per event (the benchmark's lag is receipt - event timestamp).
    received_at: list[float] = field(default_factory=list)
    batches: int = 0
    #: Events in each request taken, in order.
    sizes: list[int] = field(default_factory=list)
    #: The ``payments`` member of the requests taken (connector's webhooks sink sends it), merged.
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: int = 0
    bad_signatures: int = 0
    url: str = ""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender died mid-body (a kill -9): nothing was delivered, nothing to check
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {key.decode().lower(): value.decode() for key, value in scope["headers"]}
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self._take(body, headers.get(SIGNATURE_HEADER.lower(), ""))
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    def _take(self, body: bytes, signature: str) -> int:
        if not hmac.compare_digest(signature, sign(self.secret, body)):
            self.bad_signatures += 1
            return 401
        if self.fail_next:
            self.fail_next -= 1
            self.refused += 1
            return 503
        now = time.time()
        taken = orjson.loads(body)
        batch = taken["events"]
        self.events.extend(batch)
        self.received_at.extend([now] * len(batch))
        self.batches += 1
        self.sizes.append(len(batch))
        self.payments.update(taken.get("payments", {}))
        return 200

    def events_of(self, resource_external_id: str) -> list[str]:
        """Event types received for one resource (its refunds' events are under their own ids)."""
        return [e["event_type"] for e in self.events if e["resource_external_id"] == resource_external_id]


@asynccontextmanager
async def serve_sink(secret: bytes = b"sink-secret", *, delay: float = 0.0) -> AsyncIterator[EventSink]:
    """Serve an :class:`EventSink` on a free port in this event loop; stopped on exit."""
    sink = EventSink(secret, delay=delay)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sink.url = f"http://127.0.0.1:{sock.getsockname()[1]}/events"
    server = uvicorn.Server(uvicorn.Config(sink, log_level="warning", lifespan="off", access_log=False))

    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        yield sink
    finally:
        server.should_exit = True
        await task
        sock.close()
