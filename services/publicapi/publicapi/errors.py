"""Public API errors: the ``{"field"?, "header"?, "code": "P0xxx", "description"}`` envelope.

Hierarchy::

    pay_common.errors.AppError
    └── PublicApiError          (code, description, field?, header?)

Every failure a client can cause is a :class:`PublicApiError` with the exact P-code and
description of publicapi.md §d.8. What the original leaves to its framework keeps the
framework's shape (f.8): unknown routes answer ``{"code": 404, "message": "HTTP 404 Not
Found"}`` and unhandled exceptions a generic 500 (never a stack trace).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import Scope

from pay_common.asgi import Refusal
from pay_common.errors import AppError, install_error_handlers

DOWNSTREAM_ERROR = "Downstream system error"
NOT_FOUND = "Not found"
PAGE_NOT_FOUND = "Page not found"
SUPPORT_URL = "https://www.payments.service.gov.uk/support/"


class PublicApiError(AppError):
    """An error the client sees as ``{"code", "description"}`` (plus ``field``/``header``)."""

    def __init__(
        self,
        code: str,
        description: str,
        *,
        status_code: int,
        field: str | None = None,
        header: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(description, status_code=status_code, error_identifier=code, headers=headers)
        self.code = code
        self.description = description
        self.field = field
        self.header = header

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if self.field is not None:
            body["field"] = self.field
        if self.header is not None:
            body["header"] = self.header
        body["code"] = self.code
        body["description"] = self.description
        return body


def missing_attribute(code: str, field: str, *, status_code: int = 400) -> PublicApiError:
    return PublicApiError(code, f"Missing mandatory attribute: {field}", status_code=status_code, field=field)


def invalid_attribute(code: str, field: str, detail: str, *, status_code: int) -> PublicApiError:
    return PublicApiError(
        code, f"Invalid attribute value: {field}. {detail}", status_code=status_code, field=field
    )


def downstream_error(code: str) -> PublicApiError:
    return PublicApiError(code, DOWNSTREAM_ERROR, status_code=500)


def not_found(code: str, description: str = NOT_FOUND) -> PublicApiError:
    return PublicApiError(code, description, status_code=404)


async def _render_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    # Path and query parameters are declared as plain optional strings and validated by hand
    # with the exact P-codes, so this only catches what FastAPI itself refuses (rare).
    names = [str(error.get("loc", ("", ""))[-1]) for error in exc.errors()]
    description = f"Invalid attribute value: {', '.join(names)}" if names else "Invalid request"
    return JSONResponse({"code": "P0102", "description": description}, status_code=422)


async def _render_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    # Dropwizard's default body for unmatched routes and methods: {"code": <int>, "message": ...}.
    phrase = exc.detail if isinstance(exc.detail, str) else "Request failed"
    body = {"code": exc.status_code, "message": f"HTTP {exc.status_code} {phrase}"}
    return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def render_refusal(_: Scope, refusal: Refusal) -> Response:
    """Edge refusals (size, headers, media type) in Dropwizard's framework shape, as the original's
    container answers them: ``{"code": 415, "message": "HTTP 415 Unsupported Media Type"}``."""
    phrase = HTTPStatus(refusal.status).phrase
    return JSONResponse(
        {"code": refusal.status, "message": f"HTTP {refusal.status} {phrase}"}, refusal.status
    )


INTERNAL_ERROR_BODY: dict[str, Any] = {
    "code": 500,
    "message": "There was an error processing your request. It has been logged.",
}


def install_public_error_handlers(app: FastAPI) -> None:
    """Every failure of the public API renders in the public envelope, never as a stack trace."""
    install_error_handlers(
        app,
        validation_renderer=_render_validation,
        internal_error_body=INTERNAL_ERROR_BODY,
        http_error_renderer=_render_http_error,
    )
