"""The webhooks application: ``create_app(settings)`` and its lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from pay_common.asgi import MaxBodySizeMiddleware, RequestIdMiddleware
from pay_common.db.session import attach_database
from pay_common.http import connector_client
from pay_common.logging import configure_logging
from pay_common.metrics import MetricsMiddleware, serving_metrics
from webhooks.api import router
from webhooks.config import Settings, get_settings
from webhooks.errors import install_webhooks_error_handlers
from webhooks.resolver import Resolver, system_resolver


def create_app(
    settings: Settings | None = None,
    *,
    connector_transport: httpx.AsyncBaseTransport | None = None,
    resolver: Resolver = system_resolver,
) -> FastAPI:
    """``connector_transport`` routes connector calls elsewhere (tests: an in-process connector);
    ``resolver`` answers name look-ups of callback hosts (tests: a fixed table)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = attach_database(app, settings, application_name="webhooks")
        try:
            async with connector_client(
                app,
                settings,
                caller="webhooks",
                transport=connector_transport,
                connect_timeout=settings.connector_timeout_seconds,
                read_timeout=settings.connector_timeout_seconds,
                max_connections=20,
            ):
                with serving_metrics(app, settings.metrics_host, settings.metrics_port):
                    yield
        finally:
            await engine.dispose()

    configure_logging(service="webhooks", level=settings.log_level, json=settings.log_json)
    app = FastAPI(title="GOV.UK Pay webhooks", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.resolver = resolver
    install_webhooks_error_handlers(app)
    app.include_router(router)
    app.add_middleware(MaxBodySizeMiddleware, max_bytes=1_000_000)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(MetricsMiddleware, service="webhooks")
    return app
