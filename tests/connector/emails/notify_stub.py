"""A local GOV.UK Notify: its REST API as the official client speaks it, on a free port.

``POST /v2/notifications/email`` with a JWT bearer token (HS256, ``iss`` = the service id,
``iat`` within 30 s, signed with the key's secret), Notify's validation and its error shape
``{"status_code": N, "errors": [{"error": "...", "message": "..."}]}``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.served import serve_in_loop


@dataclass
class NotifyService:
    """One Notify service: its API key (as the client is given it) and its templates."""

    name: str
    templates: set[str]
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def api_key(self) -> str:
        return f"{self.name}-{self.service_id}-{self.secret}"


@dataclass
class NotifyStub:
    url: str
    services: dict[str, NotifyService]
    sent: list[dict[str, Any]] = field(default_factory=list)
    #: Status codes to fail the next requests with (Notify down: 500; rate limited: 429).
    failures: list[int] = field(default_factory=list)


def _error(status: int, error: str, message: str) -> JSONResponse:
    return JSONResponse({"status_code": status, "errors": [{"error": error, "message": message}]}, status)


def _service_of(stub: NotifyStub, request: Request) -> NotifyService | JSONResponse:
    header = request.headers.get("authorization", "")
    if not header.startswith("Bearer "):
        return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
    token = header.removeprefix("Bearer ")
    try:
        issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        return _error(403, "AuthError", "Invalid token: signature, api token not found")
    service = stub.services.get(str(issuer))
    if service is None:
        return _error(403, "AuthError", "Invalid token: service not found")
    try:
        claims = jwt.decode(token, service.secret, algorithms=["HS256"])
    except jwt.PyJWTError:
        return _error(403, "AuthError", "Invalid token: signature, api token not found")
    if abs(time.time() - float(claims.get("iat", 0))) > 30:
        return _error(403, "AuthError", "Error: Your system clock must be accurate to within 30 seconds")
    return service


@asynccontextmanager
async def serve_notify(*services: NotifyService) -> AsyncIterator[NotifyStub]:
    stub = NotifyStub(url="", services={s.service_id: s for s in services})

    async def send_email(request: Request) -> JSONResponse:
        service = _service_of(stub, request)
        if isinstance(service, JSONResponse):
            return service
        if stub.failures:
            status = stub.failures.pop(0)
            return _error(status, "RateLimitError" if status == 429 else "Exception", "Internal server error")
        body = await request.json()
        if not body.get("email_address"):
            return _error(400, "ValidationError", "email_address is a required property")
        if body.get("template_id") not in service.templates:
            return _error(400, "BadRequestError", "Template not found")
        notification_id = str(uuid.uuid4())
        stub.sent.append({"service": service.name, "id": notification_id, **body})
        return JSONResponse(
            {
                "id": notification_id,
                "reference": body.get("reference"),
                "content": {
                    "subject": "Your payment",
                    "body": "...",
                    "from_email": "pay@notifications.service.gov.uk",
                },
                "uri": f"{stub.url}/v2/notifications/{notification_id}",
                "template": {"id": body["template_id"], "version": 1, "uri": f"{stub.url}/v2/template/x"},
            },
            201,
        )

    app = Starlette(routes=[Route("/v2/notifications/email", send_email, methods=["POST"])])
    async with serve_in_loop(app) as url:
        stub.url = url
        yield stub
