"""One trace follows a payment creation: publicapi → connector → PostgreSQL, ids in the logs."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.trace import SpanKind

from pay_common.tracing import tracer_provider


class Collected(SpanProcessor):
    """Keeps the spans that end while a test listens."""

    def __init__(self) -> None:
        self.listening = False
        self.spans: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        if self.listening:
            self.spans.append(span)


_collector = Collected()
tracer_provider().add_span_processor(_collector)


@pytest.fixture
def spans() -> Iterator[list[ReadableSpan]]:
    _collector.spans.clear()
    _collector.listening = True
    try:
        yield _collector.spans
    finally:
        _collector.listening = False


PAYMENT = {
    "amount": 1200,
    "reference": "trace-1",
    "description": "Traced",
    "return_url": "https://s.gov.uk/r",
}


@pytest.mark.asyncio
async def test_a_payment_creation_is_one_trace_across_services_and_the_database(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    spans: list[ReadableSpan],
    capsys: pytest.CaptureFixture[str],
) -> None:
    capsys.readouterr()
    created = await publicapi_client.post("/v1/payments", json=PAYMENT, headers=auth_headers)
    assert created.status_code == 201, created.text

    by_name = {s.name: s for s in spans}
    publicapi_span = by_name["POST /v1/payments"]
    trace_id = publicapi_span.context.trace_id
    # In its own process connector's span is a SERVER span with a remote parent; served in-process
    # here, it is the child of the client span all the same.
    connector_span = by_name["POST /v1/api/accounts/{account_id}/charges"]
    clients = [s for s in spans if s.kind == SpanKind.CLIENT and s.context.trace_id == trace_id]
    database = [s for s in clients if s.attributes and s.attributes.get("db.system") == "postgresql"]
    http_calls = [s for s in clients if s not in database]

    assert publicapi_span.kind == SpanKind.SERVER
    assert connector_span.context.trace_id == trace_id
    assert connector_span.parent is not None
    assert connector_span.parent.span_id in {s.context.span_id for s in http_calls}
    statements = [str((s.attributes or {}).get("db.statement", "")) for s in database]
    assert any("INSERT INTO charges" in statement for statement in statements), statements
    # Every line logged while serving the request carries the trace id.
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    access = [
        line for line in lines if line.get("event") == "http.request" and line.get("path") == "/v1/payments"
    ]
    assert access
    assert {line["trace_id"] for line in access} == {format(trace_id, "032x")}
