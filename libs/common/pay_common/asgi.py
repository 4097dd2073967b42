"""Pure ASGI middleware (no BaseHTTPMiddleware, so context variables propagate).

* :class:`RequestIdMiddleware` accepts ``X-Request-Id`` (or makes one), binds it to the
  log context for the whole request, echoes it on the response and logs one access line;
  a client that hangs up before its body arrives is logged as status 499, not as an error.
* :class:`MaxBodySizeMiddleware` refuses bodies larger than a limit with 413.
"""

from __future__ import annotations

import re
import time
import uuid
from contextvars import ContextVar

import structlog
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pay_common.logging import get_logger

REQUEST_ID_HEADER = "x-request-id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")

#: The request id of the request being served; read by the httpx client to pass it on.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

logger = get_logger("access")


def _incoming_request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID_HEADER.encode():
            candidate: str = value.decode("latin-1")
            # Only well-formed ids are trusted, so a client cannot inject text into our logs.
            if _VALID_REQUEST_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Binds a request id to the log context and echoes it in ``X-Request-Id``."""

    def __init__(self, app: ASGIApp, *, quiet_paths: frozenset[str] = frozenset({"/healthcheck"})) -> None:
        self.app = app
        self.quiet_paths = quiet_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope)
        token = request_id_var.set(request_id)
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status_code = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = message["status"]
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client went away while its body was being read (a load test stopping, a
            # closed browser): nobody is left to answer, the request's transaction has been
            # rolled back, and it is not a server error, so no traceback. 499 is nginx's
            # "client closed request".
            status_code = 499
        finally:
            if scope["path"] not in self.quiet_paths:
                logger.info(
                    "http.request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status_code,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            structlog.contextvars.unbind_contextvars("request_id")
            request_id_var.reset(token)


class MaxBodySizeMiddleware:
    """Answers 413 before reading more than ``max_bytes`` of a request body."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = 1_000_000) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await _too_large(send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _BodyTooLarge
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _BodyTooLarge:
            await _too_large(send)


class _BodyTooLarge(Exception):
    pass


async def _too_large(send: Send) -> None:
    body = b'{"message":["Request body too large"]}'
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
