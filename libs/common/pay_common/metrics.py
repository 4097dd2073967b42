"""Prometheus metrics: HTTP requests by route template, and the payment domain's counters.

The metrics are served by :func:`start_metrics_server` on their own port (``<SERVICE>_METRICS_PORT``),
never by the public listener, so a load balancer in front of publicapi or the payment pages
cannot expose them by accident. Every metric lives in the process-wide registry; the ``service``
label tells apart services that share a process (the tests run all three in one).

Route labels are templates (``/v1/payments/{paymentId}``), never raw paths, so the number of
series stays bounded whatever clients send; a request no route matched is ``<unmatched>``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIServer

from prometheus_client import Counter, Gauge, Histogram, start_http_server
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pay_common.asgi import HttpMiddleware

UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUESTS = Counter(
    "pay_http_requests_total",
    "HTTP requests served, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "pay_http_request_duration_seconds",
    "Time to serve an HTTP request, by route template.",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# --- connector's domain ---
PAYMENTS = Counter(
    "pay_payments_total",
    "Payments reaching a milestone: created, authorised, captured, failed, cancelled, expired.",
    ["provider", "outcome"],
)
REFUNDS = Counter("pay_refunds_total", "Refunds by the status they reached.", ["status"])
JOB_QUEUE_DEPTH = Gauge("pay_job_queue_depth", "Background jobs waiting to run, by queue.", ["queue"])
JOB_QUEUE_OLDEST_AGE = Gauge(
    "pay_job_queue_oldest_age_seconds", "Age of the oldest job waiting, by queue (0 when empty).", ["queue"]
)
OUTBOX_LAG = Gauge("pay_outbox_lag_seconds", "Age of the oldest event not yet published (0 when none).")

# --- publicapi's domain ---
RATE_LIMIT_REFUSALS = Counter(
    "pay_rate_limit_refusals_total", "Requests refused with 429, by HTTP method.", ["method"]
)

# --- webhooks' domain (the delivery worker exports them) ---
WEBHOOK_DELIVERIES = Counter(
    "pay_webhook_deliveries_total",
    "Webhook delivery attempts by outcome: successful, failed, will_not_send.",
    ["outcome"],
)
WEBHOOK_RESPONSE_TIME = Histogram(
    "pay_webhook_delivery_duration_seconds",
    "Time from sending a webhook message to the receiver's answer (or the timeout), by outcome.",
    ["outcome"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WEBHOOK_DELIVERY_LAG = Histogram(
    "pay_webhook_delivery_lag_seconds",
    "From the event (e.g. the payment succeeding) to its message's successful delivery, retries included.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 3600.0, 86400.0),
)

#: Charge statuses that mark a milestone of a payment, and the outcome they count as.
PAYMENT_OUTCOMES = {
    "CREATED": "created",
    "AUTHORISATION SUCCESS": "authorised",
    "CAPTURED": "captured",
    "AUTHORISATION REJECTED": "failed",
    "AUTHORISATION ERROR": "failed",
    "AUTHORISATION TIMEOUT": "failed",
    "AUTHORISATION UNEXPECTED ERROR": "failed",
    "CAPTURE ERROR": "failed",
    "USER CANCELLED": "cancelled",
    "SYSTEM CANCELLED": "cancelled",
    "EXPIRED": "expired",
}


def record_charge_status(provider: str, status: str) -> None:
    """Count a charge reaching ``status``, when that status is a milestone."""
    outcome = PAYMENT_OUTCOMES.get(status)
    if outcome is not None:
        PAYMENTS.labels(provider=provider, outcome=outcome).inc()


class MetricsMiddleware(HttpMiddleware):
    """Counts and times every HTTP request by its route template (pure ASGI)."""

    def __init__(self, app: ASGIApp, *, service: str) -> None:
        super().__init__(app)
        self.service = service

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500

        async def send_recording_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_recording_status)
        finally:
            route = _route_template(scope)
            HTTP_REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
            HTTP_LATENCY.labels(self.service, scope["method"], route).observe(time.perf_counter() - started)


def _route_template(scope: Scope) -> str:
    # Starlette's router leaves the matched route in the scope it passes down (the same dict).
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED_ROUTE


@dataclass
class MetricsServer:
    """The metrics listener of one app; :meth:`close` stops its thread."""

    server: WSGIServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def start_metrics_server(host: str, port: int) -> MetricsServer:
    """Serve ``/metrics`` (text exposition format) on ``host:port``; port 0 picks a free one."""
    server, thread = start_http_server(port, addr=host)
    return MetricsServer(server, thread)


@contextmanager
def serving_metrics(app: Starlette, host: str, port: int | None) -> Iterator[None]:
    """For an app's lifespan: the metrics listener while the app runs (none when ``port`` is None).

    The listener is kept on ``app.state.metrics_server`` (tests read its port there).
    """
    app.state.metrics_server = start_metrics_server(host, port) if port is not None else None
    try:
        yield
    finally:
        if app.state.metrics_server is not None:
            app.state.metrics_server.close()
