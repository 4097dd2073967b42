"""Authentication failures and their responses (publicapi.md §b.3).

* A key that is missing, malformed or fails its checksum, and a key connector does not
  know or has revoked: 401 with Dropwizard's unauthorized response
  (``WWW-Authenticate: Bearer realm="realm"``, ``text/plain`` body).
* Connector answers the key look-up with anything but 200/401: 503 in Dropwizard's JSON
  error shape. Connector unreachable or too slow: a generic 500, as in the original.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

UNAUTHORIZED_BODY = "Credentials are required to access this resource."
UNAUTHORIZED_HEADERS = {"WWW-Authenticate": 'Bearer realm="realm"'}
SERVICE_UNAVAILABLE_BODY = {"code": 503, "message": "HTTP 503 Service Unavailable"}
INTERNAL_ERROR_BODY = {
    "code": 500,
    "message": "There was an error processing your request. It has been logged.",
}


class Unauthorized(Exception):
    """The request carries no usable API key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AuthServiceError(Exception):
    """The key could not be resolved because connector failed (status 503 or 500)."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"key look-up failed with {status_code}")
        self.status_code = status_code


async def _unauthorized(_: Request, __: Exception) -> Response:
    return PlainTextResponse(UNAUTHORIZED_BODY, status_code=401, headers=UNAUTHORIZED_HEADERS)


async def _service_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthServiceError)
    body = SERVICE_UNAVAILABLE_BODY if exc.status_code == 503 else INTERNAL_ERROR_BODY
    return JSONResponse(body, status_code=exc.status_code)


def install_auth_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(AuthServiceError, _service_error)
