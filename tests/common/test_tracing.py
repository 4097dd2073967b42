"""Spans leave the process over OTLP/HTTP only when an endpoint is configured."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SCRIPT = """
from pay_common.tracing import tracer_provider
provider = tracer_provider("otlp-test")
with provider.get_tracer("t").start_as_current_span("exported-span"):
    pass
provider.force_flush()
provider.shutdown()
"""


class _Collector(BaseHTTPRequestHandler):
    received: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        _Collector.received.append((self.path, body))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def otlp_collector() -> Iterator[tuple[str, list[tuple[str, bytes]]]]:
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", _Collector.received
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _run(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "-c", SCRIPT], env={**os.environ, **env}, check=True, timeout=60)


def test_spans_are_exported_to_the_configured_endpoint(
    otlp_collector: tuple[str, list[tuple[str, bytes]]],
) -> None:
    url, received = otlp_collector

    _run({"OTEL_EXPORTER_OTLP_ENDPOINT": url})

    assert [path for path, _ in received] == ["/v1/traces"]
    assert b"exported-span" in received[0][1]
    assert b"otlp-test" in received[0][1]
