"""Pure ASGI middleware (no BaseHTTPMiddleware, so context variables propagate).

* :class:`RequestIdMiddleware` accepts ``X-Request-Id`` (or makes one), binds it to the
  log context for the whole request, echoes it on the response and logs one access line;
  a client that hangs up before its body arrives is logged as status 499, not as an error.
* :class:`MaxBodySizeMiddleware` refuses bodies larger than a limit with 413.
* :class:`RequestLimitsMiddleware` refuses too many or too large headers (431) and control
  characters in the path (404) or query string (400).
* :class:`JsonBodyMiddleware` refuses request bodies that are not JSON (415) or that
  :func:`pay_common.json_input.loads_strict` refuses (400), before any endpoint runs.

Each refusal is rendered by the service's :data:`Renderer`, so it arrives in the service's
own error envelope; the default is the connector's.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

import structlog
from fastapi import FastAPI
from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pay_common.json_input import JsonInputError, Problem, is_json_media_type, loads_strict
from pay_common.logging import get_logger
from pay_common.settings import BaseServiceSettings

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


class HttpMiddleware:
    """Pure ASGI middleware for HTTP requests: every other scope (lifespan, websocket) goes
    straight through to ``app``. Subclasses implement :meth:`handle`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """One HTTP request."""
        raise NotImplementedError


class RequestIdMiddleware(HttpMiddleware):
    """Binds a request id to the log context and echoes it in ``X-Request-Id``."""

    def __init__(self, app: ASGIApp, *, quiet_paths: frozenset[str] = frozenset({"/healthcheck"})) -> None:
        super().__init__(app)
        self.quiet_paths = quiet_paths

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
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


@dataclass(frozen=True)
class Refusal:
    """Why the edge refused a request, for the service's :data:`Renderer`."""

    status: int
    message: str
    problem: Problem | None = None
    field: str | None = None


#: Turns a refusal into the service's error response (its envelope, its codes).
Renderer = Callable[[Scope, Refusal], Response]


def connector_envelope(_: Scope, refusal: Refusal) -> Response:
    return JSONResponse({"error_identifier": "GENERIC", "message": [refusal.message]}, refusal.status)


BODY_TOO_LARGE = "Request body too large"
BODY_NOT_JSON = "Unable to parse JSON"
UNSUPPORTED_MEDIA_TYPE = "Unsupported Media Type: the body must be application/json"
HEADERS_TOO_LARGE = "Request Header Fields Too Large"
NOT_FOUND = "HTTP 404 Not Found"
BAD_QUERY = "Invalid query string"
_MESSAGES = {
    Problem.MALFORMED: BODY_NOT_JSON,
    Problem.TOO_DEEP: "Unable to parse JSON: nested too deeply",
    Problem.BAD_NUMBER: "Unable to parse JSON: numbers must be finite and fit 64 bits",
    Problem.NUL: "The request body must not contain NUL characters",
    Problem.SURROGATE: "The request body must be valid Unicode text (no lone surrogates)",
}
_CONTROL = re.compile(rb"[\x00-\x1f\x7f]")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RequestLimitsMiddleware:
    """Refuses, before routing: more than ``max_headers`` headers or ``max_header_bytes`` of them
    (431; uvicorn has no count limit, and with httptools no size limit either), and control
    characters in the path (404: no resource has such a name) or the decoded query (400), which
    would otherwise reach PostgreSQL (NUL) or an outgoing URL (``httpx.InvalidURL``).
    ``check_urls=False`` leaves paths and queries to a service that answers them per operation."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_headers: int = 100,
        max_header_bytes: int = 32_768,
        render: Renderer = connector_envelope,
        check_urls: bool = True,
    ) -> None:
        self.app = app
        self.max_headers = max_headers
        self.max_header_bytes = max_header_bytes
        self.render = render
        self.check_urls = check_urls

    def _refusal(self, scope: Scope) -> Refusal | None:
        headers = scope.get("headers", ())
        if (
            len(headers) > self.max_headers
            or sum(len(n) + len(v) for n, v in headers) > self.max_header_bytes
        ):
            return Refusal(431, HEADERS_TOO_LARGE)
        if not self.check_urls:
            return None
        if _CONTROL.search(scope["path"].encode("utf-8", "surrogateescape")):
            return Refusal(404, NOT_FOUND)
        if _CONTROL.search(unquote_to_bytes(scope.get("query_string", b""))):
            return Refusal(400, BAD_QUERY)
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self._refusal(scope) if scope["type"] == "http" else None
        if refusal is None:
            await self.app(scope, receive, send)
            return
        await self.render(scope, refusal)(scope, receive, send)


class JsonBodyMiddleware:
    """Reads a request body whole (bounded by :class:`MaxBodySizeMiddleware`, which must sit
    outside), refuses it unless it is JSON that :func:`loads_strict` accepts, then replays it.

    Empty bodies pass (endpoints decide whether one is required), as do bodies without a
    Content-Type (FastAPI reads them as JSON, and existing clients send them). With
    ``parse=False`` only the media type is checked: for a service whose endpoints read bodies
    with :func:`loads_strict` themselves, to answer with per-operation error codes. Paths under
    ``own_text_checks`` are parsed but their NUL and surrogates are left to the endpoints; paths
    under ``other_formats`` take another format (Worldpay's XML) that their endpoints parse safely.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        render: Renderer = connector_envelope,
        parse: bool = True,
        own_text_checks: tuple[str, ...] = (),
        other_formats: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.render = render
        self.parse = parse
        self.own_text_checks = own_text_checks
        self.other_formats = other_formats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in _BODY_METHODS
            or (self.other_formats and scope["path"].startswith(self.other_formats))
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        check_text = not scope["path"].startswith(self.own_text_checks) if self.own_text_checks else True
        refusal = _json_refusal(scope, body, parse=self.parse, check_text=check_text)
        if refusal is not None:
            await self.render(scope, refusal)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _json_refusal(scope: Scope, body: bytes, *, parse: bool, check_text: bool) -> Refusal | None:
    if not body.strip():
        return None
    content_type = next(
        (v.decode("latin-1") for n, v in scope.get("headers", ()) if n == b"content-type"), None
    )
    if not is_json_media_type(content_type):
        return Refusal(415, UNSUPPORTED_MEDIA_TYPE)
    if not parse:
        return None
    try:
        loads_strict(body, check_text=check_text)
    except JsonInputError as exc:
        return Refusal(400, _MESSAGES[exc.problem], exc.problem, exc.field)
    return None


class MaxBodySizeMiddleware(HttpMiddleware):
    """Answers 413 before reading more than ``max_bytes`` of a request body."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int = 1_000_000, render: Renderer = connector_envelope
    ) -> None:
        super().__init__(app)
        self.max_bytes = max_bytes
        self.render = render

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await self._too_large(scope, receive, send)
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
            await self._too_large(scope, receive, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.render(scope, Refusal(413, BODY_TOO_LARGE))(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def add_input_limits(
    app: FastAPI,
    settings: BaseServiceSettings,
    *,
    render: Renderer = connector_envelope,
    json_bodies: bool = True,
    parse_json: bool = True,
    own_text_checks: tuple[str, ...] = (),
    other_formats: tuple[str, ...] = (),
    check_urls: bool = True,
) -> None:
    """The edge every service shares, innermost first: JSON bodies only (``json_bodies``; read
    strictly unless ``parse_json`` is false), the body size limit (which must wrap the JSON
    reader), then the header and path limits."""
    if json_bodies:
        app.add_middleware(
            JsonBodyMiddleware,
            render=render,
            parse=parse_json,
            own_text_checks=own_text_checks,
            other_formats=other_formats,
        )
    app.add_middleware(MaxBodySizeMiddleware, max_bytes=settings.max_body_bytes, render=render)
    app.add_middleware(
        RequestLimitsMiddleware,
        max_headers=settings.max_request_headers,
        max_header_bytes=settings.max_request_header_bytes,
        render=render,
        check_urls=check_urls,
    )
