"""The connector application: ``create_app(settings)`` and its lifespan.

Resources (engine, sessionmaker, the in-process job worker) are built in the lifespan, never at
import, and kept on ``app.state`` so tests can build as many apps as they like.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from connector import worker
from connector.api import admin_router, router
from connector.config import Settings, get_settings
from connector.errors import install_connector_error_handlers
from connector.gateways import registry
from pay_common.asgi import RequestIdMiddleware, add_input_limits
from pay_common.db.session import create_engine, create_sessionmaker
from pay_common.logging import configure_logging


def create_app(settings: Settings | None = None, *, admin: bool = False) -> FastAPI:
    """The connector; ``admin=True``: only the operator tasks the original serves on its admin port."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url,
            application_name="connector",
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
        )
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        registry.configure_sandbox(settings.sandbox_ledger_path, settings.sandbox_latency_seconds)
        background = worker.start(settings) if settings.run_worker and not admin else None
        # Start-up objects (modules, routes, models) live as long as the process: keep them out of
        # the collector's full passes, which otherwise land inside requests (docs/benchmarks.md).
        gc.freeze()
        try:
            async with registry.configured(settings):
                yield
        finally:
            if background is not None:
                await worker.stop(background)
            await engine.dispose()

    configure_logging(service="connector", level=settings.log_level, json=settings.log_json)
    app = FastAPI(title="GOV.UK Pay connector", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    install_connector_error_handlers(app)
    app.include_router(admin_router if admin else router)
    # The key-management API answers NUL in its own (publicauth) shape: api_keys/service.py.
    add_input_limits(app, settings, own_text_checks=("/v1/frontend/auth",))
    app.add_middleware(RequestIdMiddleware)
    return app
