from __future__ import annotations

import json
import logging

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider

from pay_common.logging import configure_logging, get_logger


def test_sensitive_keys_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="test", json=True)
    capsys.readouterr()

    get_logger("t").info("card.seen", card_number="4242424242424242", cvc="123", last_digits="4242")

    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["card_number"] == "[redacted]"
    assert line["cvc"] == "[redacted]"
    assert line["last_digits"] == "4242"
    assert line["service"] == "test"


def test_standard_library_lines_are_json_with_the_request_context(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="test", json=True)
    capsys.readouterr()
    structlog.contextvars.bind_contextvars(request_id="req-123")
    try:
        logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", "http://connector/v1/api/x")
        logging.getLogger("uvicorn.error").warning("Invalid HTTP request received.")
    finally:
        structlog.contextvars.unbind_contextvars("request_id")

    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [(line["logger"], line["level"]) for line in lines] == [
        ("httpx", "info"),
        ("uvicorn.error", "warning"),
    ]
    assert lines[0]["event"] == "HTTP Request: GET http://connector/v1/api/x"
    assert {line["request_id"] for line in lines} == {"req-123"}
    assert {line["service"] for line in lines} == {"test"}


def test_lines_logged_inside_a_span_carry_its_trace_id(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="test", json=True)
    capsys.readouterr()
    tracer = TracerProvider().get_tracer("test")

    with tracer.start_as_current_span("work") as span:
        get_logger("t").info("inside.span")
        logging.getLogger("sqlalchemy").warning("inside too")
    expected = format(span.get_span_context().trace_id, "032x")

    lines = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [line["trace_id"] for line in lines] == [expected, expected]
