"""The public API application: ``create_app(settings)`` and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from pay_common.asgi import RequestIdMiddleware, add_input_limits
from pay_common.docs import install_offline_docs
from pay_common.http import connector_client
from pay_common.logging import configure_logging
from pay_common.metrics import MetricsMiddleware, serving_metrics
from pay_common.tracing import instrument_app
from publicapi.api import router
from publicapi.auth.errors import install_auth_error_handlers
from publicapi.config import Settings, get_settings
from publicapi.errors import install_public_error_handlers, render_refusal
from publicapi.openapi import install_openapi
from publicapi.ratelimit.dependencies import rate_limiter_of


def create_app(
    settings: Settings | None = None, *, connector_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """``connector_transport`` routes connector calls elsewhere (tests: an in-process connector)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        limiter = rate_limiter_of(app)
        try:
            # One long-lived client to connector per process (bounded pool, explicit timeouts).
            async with connector_client(
                app,
                settings,
                caller="publicapi",
                transport=connector_transport,
                connect_timeout=settings.connector_connect_timeout,
                read_timeout=settings.connector_read_timeout,
                max_connections=settings.connector_max_connections,
            ):
                with serving_metrics(app, settings.metrics_host, settings.metrics_port):
                    yield
        finally:
            await limiter.aclose()

    configure_logging(service="publicapi", level=settings.log_level, json=settings.log_json)
    app = FastAPI(title="GOV.UK Pay API", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_offline_docs(app)
    app.state.settings = settings
    install_public_error_handlers(app)
    install_auth_error_handlers(app)
    app.include_router(router)
    install_openapi(app)
    # Bodies, ids and queries are checked by each operation, which knows its P-codes.
    add_input_limits(app, settings, render=render_refusal, parse_json=False, check_urls=False)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(MetricsMiddleware, service="publicapi")
    instrument_app(app, service="publicapi")
    return app
