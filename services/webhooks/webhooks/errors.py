"""Webhooks errors: the connector-style ``{"error_identifier", "message": [...]}`` envelope.

Hierarchy::

    pay_common.errors.AppError
    └── WebhooksError
        ├── NotFound (404)
        ├── BadRequest (400)
        └── <feature>/errors.py subclasses
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pay_common.errors import AppError, install_error_handlers, validation_messages


class WebhooksError(AppError):
    """Base of every webhooks-service error."""


class NotFound(WebhooksError):
    status_code = 404


class BadRequest(WebhooksError):
    status_code = 400


class Unauthorised(WebhooksError):
    status_code = 401


async def _render_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    # As upstream (Dropwizard): a missing or invalid body member is 422; a bad query is 400.
    in_query = any(str(e.get("loc", ("",))[0]) in ("query", "path") for e in exc.errors())
    unparsable = any(e.get("type") == "json_invalid" for e in exc.errors())
    status = 400 if in_query or unparsable else 422
    return JSONResponse(
        {"error_identifier": "GENERIC", "message": validation_messages(exc)}, status_code=status
    )


def install_webhooks_error_handlers(app: FastAPI) -> None:
    install_error_handlers(app, validation_renderer=_render_validation)
