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

from fastapi import FastAPI

from pay_common.errors import AppError, envelope_validation_renderer, install_error_handlers


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


#: Unparsable JSON or a wrong JSON type is 400; a well-formed body with bad values is 422 (the
#: original answers bean-validation failures with 422).
_BAD_REQUEST_BODY_ERRORS = frozenset({"json_invalid", "model_attributes_type", "dict_type", "missing_body"})


def install_connector_error_handlers(app: FastAPI) -> None:
    install_error_handlers(app, validation_renderer=envelope_validation_renderer(_BAD_REQUEST_BODY_ERRORS))
