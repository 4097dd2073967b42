"""OpenTelemetry traces: publicapi → connector → PostgreSQL → gateway, one trace per request.

* The FastAPI instrumentation opens a server span per request (health checks excluded) and
  continues the caller's trace from its ``traceparent`` header.
* Every client made by :func:`pay_common.http.make_async_client` (publicapi's and the payment
  pages' calls to connector, connector's calls to gateways) is instrumented: a client span, and
  ``traceparent`` sent on.
* asyncpg's queries (what SQLAlchemy runs underneath) are spans too.

Spans are always made, so every log line written inside a request carries its ``trace_id``
(pay_common.logging), but nothing is exported unless ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or
``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``) is set: then spans go out over OTLP/HTTP in batches.
``OTEL_SDK_DISABLED=true`` turns tracing off altogether. The provider is made once per process.
"""

from __future__ import annotations

import os

import httpx
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

_provider: TracerProvider | None = None

EXPORT_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")


def tracing_disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def tracer_provider(service: str = "pay") -> TracerProvider:
    """The process's provider, made on first use (named after the first service that asks)."""
    global _provider
    if _provider is None:
        name = os.environ.get("OTEL_SERVICE_NAME") or service
        _provider = TracerProvider(resource=Resource.create({"service.name": name}))
        if any(os.environ.get(variable) for variable in EXPORT_ENDPOINT_VARIABLES):
            # Imported only when used: the exporter pulls in protobuf.
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(_provider)
        AsyncPGInstrumentor().instrument(tracer_provider=_provider)  # type: ignore[no-untyped-call]
    return _provider


def instrument_app(app: FastAPI, *, service: str) -> None:
    """Server spans for ``app``'s requests; call after its middleware is added."""
    if tracing_disabled():
        return
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=tracer_provider(service), excluded_urls="healthcheck,metrics"
    )


def instrument_client(client: httpx.AsyncClient) -> None:
    """Client spans for ``client``'s calls, and the trace passed on in ``traceparent``."""
    if tracing_disabled():
        return
    HTTPXClientInstrumentor.instrument_client(client, tracer_provider=tracer_provider())
