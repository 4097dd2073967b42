"""Structured logging: JSON lines in deployment, readable lines on a terminal.

Log events are dotted snake keys (``charge.capture.gateway_declined``) with keyword
context. The request id is bound into structlog's context variables by
:class:`pay_common.asgi.RequestIdMiddleware`, so every line logged while serving a
request carries it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog

#: Keys whose values are never written to a log line, whatever logs them.
REDACTED_KEYS = frozenset(
    {"card_number", "cvc", "cv2", "password", "authorization", "api_key", "token_value"}
)


def _redact(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in REDACTED_KEYS.intersection(event_dict):
        event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(*, service: str, level: str = "INFO", json: bool = True) -> None:
    """Configure structlog and the standard library's root logger once per process."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        # No file argument: each logger resolves sys.stdout when it is made, so a swapped
        # stdout (tests capturing output, a reopened pipe) never leaves us writing to a closed one.
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(service=service)
    logging.basicConfig(level=level.upper(), stream=sys.stdout, format="%(levelname)s %(name)s %(message)s")
    # uvicorn's own access log duplicates ours (which carries the request id).
    logging.getLogger("uvicorn.access").disabled = True


def get_logger(name: str | None = None) -> Any:
    """A structlog logger; ``name`` becomes the ``logger`` key."""
    return structlog.get_logger(name) if name else structlog.get_logger()
