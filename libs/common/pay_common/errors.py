"""One error type for every service, rendered by one handler.

Hierarchy::

    AppError                      (pay_common: status_code, message, error_identifier, reason)
    ├── ConnectorError            (connector: {"error_identifier", "message": [...], "reason"?})
    │   └── <feature>.errors.*    (ChargeNotFound, IllegalStateTransition, ...)
    └── PublicApiError            (publicapi: {"code": "P0xxx", "description": "..."})

A service chooses the body shape by overriding :meth:`AppError.body`. Unhandled
exceptions become a 500 with a generic body: never a stack trace.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pay_common.logging import get_logger

logger = get_logger(__name__)


class AppError(Exception):
    """An expected failure with a status code and a body the client can read."""

    status_code: int = 500
    error_identifier: str = "GENERIC"

    def __init__(
        self,
        message: str | list[str],
        *,
        status_code: int | None = None,
        error_identifier: str | None = None,
        reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.messages = [message] if isinstance(message, str) else list(message)
        if status_code is not None:
            self.status_code = status_code
        if error_identifier is not None:
            self.error_identifier = error_identifier
        self.reason = reason
        self.headers = headers
        super().__init__("; ".join(self.messages))

    def body(self) -> dict[str, Any]:
        """The connector envelope: ``message`` is always a list of strings."""
        body: dict[str, Any] = {"error_identifier": self.error_identifier, "message": self.messages}
        if self.reason is not None:
            body["reason"] = self.reason
        return body


def validation_messages(exc: RequestValidationError) -> list[str]:
    """Readable one-line messages for pydantic/FastAPI validation errors."""
    messages = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
        field = ".".join(location)
        if error.get("type") == "json_invalid":
            messages.append("Unable to parse JSON")
        elif field:
            messages.append(f"Field [{field}] {error.get('msg', 'is invalid')}")
        else:
            messages.append(str(error.get("msg", "Invalid request")))
    return messages or ["Invalid request"]


#: A service's answer to a request FastAPI refused (a bad parameter or body).
ValidationRenderer = Callable[[Request, RequestValidationError], Awaitable[JSONResponse]]


def envelope_validation_renderer(bad_request_types: frozenset[str]) -> ValidationRenderer:
    """The connector-style services' answer to a request FastAPI refused, as their Dropwizard
    originals give it: the ``GENERIC`` envelope with 400 for a bad query or path parameter or a
    body error whose type is in ``bad_request_types`` (a body that cannot be read at all), and
    422 for the rest (a readable body with bad values)."""

    async def render(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        in_url = any(str(loc) in ("query", "path") for error in errors for loc in error.get("loc", ())[:1])
        unreadable = any(str(error.get("type", "")) in bad_request_types for error in errors)
        return JSONResponse(
            {"error_identifier": "GENERIC", "message": validation_messages(exc)},
            status_code=400 if in_url or unreadable else 422,
        )

    return render


def install_error_handlers(
    app: FastAPI,
    *,
    validation_renderer: ValidationRenderer | None = None,
    internal_error_body: dict[str, Any] | None = None,
    http_error_renderer: Any = None,
) -> None:
    """Register the handlers that turn every failure into the service's envelope."""

    async def app_error(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, AppError)
        return JSONResponse(exc.body(), status_code=exc.status_code, headers=exc.headers)

    async def request_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        if validation_renderer is not None:
            return await validation_renderer(request, exc)
        body = {"error_identifier": "GENERIC", "message": validation_messages(exc)}
        return JSONResponse(body, status_code=400)

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if http_error_renderer is not None:
            return await http_error_renderer(request, exc)  # type: ignore[no-any-return]
        message = exc.detail if isinstance(exc.detail, str) else "Request failed"
        if exc.status_code == 404 and message == "Not Found":
            message = "HTTP 404 Not Found"
        body = {"error_identifier": "GENERIC", "message": [message]}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    async def unhandled(request: Request, exc: Exception) -> JSONResponse:
        try:
            logger.error("request.unhandled_error", path=request.url.path, exc_info=exc)
        except Exception:
            pass  # a broken log sink must not change the answer
        body = internal_error_body or {"error_identifier": "GENERIC", "message": ["Internal server error"]}
        return JSONResponse(body, status_code=500)

    app.add_exception_handler(AppError, app_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unhandled)
