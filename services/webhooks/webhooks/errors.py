"""Webhooks errors: the connector-style ``{"error_identifier", "message": [...]}`` envelope.

Hierarchy::

    pay_common.errors.AppError
    └── WebhooksError
        ├── NotFound (404)
        ├── BadRequest (400)
        └── <feature>/errors.py subclasses
"""

from __future__ import annotations

from fastapi import FastAPI

from pay_common.errors import AppError, envelope_validation_renderer, install_error_handlers


class WebhooksError(AppError):
    """Base of every webhooks-service error."""


class NotFound(WebhooksError):
    status_code = 404


class BadRequest(WebhooksError):
    status_code = 400


class Unauthorised(WebhooksError):
    status_code = 401


#: As upstream (Dropwizard): unparsable JSON is 400, a missing or invalid body member 422.
_BAD_REQUEST_BODY_ERRORS = frozenset({"json_invalid"})


def install_webhooks_error_handlers(app: FastAPI) -> None:
    install_error_handlers(app, validation_renderer=envelope_validation_renderer(_BAD_REQUEST_BODY_ERRORS))
