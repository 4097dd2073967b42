"""Connector errors: the ``{"error_identifier", "message": [...], "reason"?}`` envelope.

Hierarchy::

    pay_common.errors.AppError
    └── ConnectorError
        ├── NotFound (404)
        ├── BadRequest (400)
        ├── Unprocessable (422)
        ├── Forbidden (403)
        ├── Conflict (409)
        └── <feature>/errors.py subclasses
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from pay_common.errors import AppError, install_error_handlers, validation_messages


class ConnectorError(AppError):
    """Base of every connector error."""


class NotFound(ConnectorError):
    status_code = 404


class BadRequest(ConnectorError):
    status_code = 400


class Unprocessable(ConnectorError):
    status_code = 422


class Forbidden(ConnectorError):
    status_code = 403


class Conflict(ConnectorError):
    status_code = 409


async def _render_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    # Unparsable JSON or a wrong JSON type is 400; a well-formed body with bad values is 422
    # (the original answers bean-validation failures with 422).
    kinds = {str(error.get("type", "")) for error in exc.errors()}
    status = 400 if kinds & {"json_invalid", "model_attributes_type", "dict_type", "missing_body"} else 422
    if any(str(loc) == "query" or str(loc) == "path" for e in exc.errors() for loc in e.get("loc", ())[:1]):
        status = 400
    return JSONResponse(
        {"error_identifier": "GENERIC", "message": validation_messages(exc)}, status_code=status
    )


def install_connector_error_handlers(app: FastAPI) -> None:
    install_error_handlers(app, validation_renderer=_render_validation)
