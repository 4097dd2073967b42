"""The connector application: ``create_app(settings)`` and its lifespan.

Resources (engine, sessionmaker, the in-process job worker) are built in the lifespan, never at
import, and kept on ``app.state`` so tests can build as many apps as they like.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from connector import worker
from connector.api import admin_router, router
from connector.config import Settings, get_settings
from connector.errors import install_connector_error_handlers
from connector.gateways import registry
from connector.observability.tasks import sample_forever
from pay_common.asgi import RequestIdMiddleware, add_input_limits
from pay_common.db.session import attach_database
from pay_common.docs import install_offline_docs
from pay_common.logging import configure_logging
from pay_common.metrics import MetricsMiddleware, serving_metrics
from pay_common.service_auth import ServiceAuthMiddleware, ServiceTokenVerifier
from pay_common.tracing import instrument_app


def create_app(settings: Settings | None = None, *, admin: bool = False) -> FastAPI:
    """The connector; ``admin=True``: only the operator tasks the original serves on its admin port."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = attach_database(app, settings, application_name="connector")
        registry.configure_sandbox(settings.sandbox_ledger_path, settings.sandbox_latency_seconds)
        background = worker.start(settings) if settings.run_worker and not admin else None
        # Start-up objects (modules, routes, models) live as long as the process: keep them out of
        # the collector's full passes, which otherwise land inside requests (docs/benchmarks.md).
        # The process that exports metrics also samples the queue gauges.
        sampler = (
            asyncio.create_task(sample_forever(app.state.sessionmaker))
            if settings.metrics_port is not None and not admin
            else None
        )
        gc.freeze()
        try:
            async with registry.configured(settings):
                with serving_metrics(app, settings.metrics_host, settings.metrics_port):
                    yield
        finally:
            if sampler is not None:
                sampler.cancel()
                await asyncio.gather(sampler, return_exceptions=True)
            if background is not None:
                await worker.stop(background)
            await engine.dispose()

    configure_logging(service="connector", level=settings.log_level, json=settings.log_json)
    app = FastAPI(
        title="GOV.UK Pay connector", version="1.0.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    install_offline_docs(app)
    app.state.settings = settings
    install_connector_error_handlers(app)
    app.include_router(admin_router if admin else router)
    # The key-management API answers NUL in its own (publicauth) shape: api_keys/service.py.
    # Worldpay notifies in XML, parsed with defusedxml by its endpoint (gateways/worldpay).
    add_input_limits(
        app,
        settings,
        own_text_checks=("/v1/frontend/auth",),
        other_formats=("/v1/api/notifications/worldpay",),
    )
    # Outside the input limits, so a caller without a token is refused before its body is read.
    # Payment providers' notifications come from outside the platform, with their own proof
    # (Stripe's signature, Worldpay's source check, the sandbox's token): no service token.
    app.add_middleware(
        ServiceAuthMiddleware,
        verifier=service_token_verifier(settings),
        open_prefixes=("/v1/api/notifications/",),
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(MetricsMiddleware, service="connector")
    instrument_app(app, service="connector")
    return app


def service_token_verifier(settings: Settings) -> ServiceTokenVerifier:
    """Checks callers' tokens against their own keys (``CONNECTOR_SERVICE_TOKEN_KEYS``)."""
    return ServiceTokenVerifier(
        {caller: key.get_secret_value() for caller, key in settings.service_token_keys.items()}
    )
