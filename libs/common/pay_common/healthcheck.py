"""``GET /healthcheck`` for a service that owns a database: 200 when it answers, 503 when not."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from pay_common.db.session import database_is_up


def database_healthcheck_router() -> APIRouter:
    """The route reads the engine from ``app.state.engine``."""
    router = APIRouter(tags=["healthcheck"])

    @router.get("/healthcheck")
    async def healthcheck(request: Request) -> JSONResponse:
        healthy = await database_is_up(request.app.state.engine)
        body = {"database": {"healthy": healthy}}
        return JSONResponse(body, status_code=200 if healthy else 503)

    return router
