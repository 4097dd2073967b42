"""The payment pages application: ``create_app(settings)``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from frontend.cancel.endpoints import router as cancel_router
from frontend.card_details.endpoints import router as card_details_router
from frontend.config import PACKAGE_DIR, Settings, get_settings
from frontend.confirm.endpoints import router as confirm_router
from frontend.errors import ErrorPageMiddleware, register_error_handlers, render_refusal
from frontend.healthcheck.endpoints import router as healthcheck_router
from frontend.return_.endpoints import router as return_router
from frontend.secure.endpoints import router as secure_router
from frontend.security import SecurityHeadersMiddleware
from frontend.three_ds.endpoints import router as three_ds_router
from pay_common.asgi import RequestIdMiddleware, add_input_limits
from pay_common.http import connector_client
from pay_common.logging import configure_logging
from pay_common.metrics import MetricsMiddleware, serving_metrics
from pay_common.tracing import instrument_app

#: The session cookie (fact sheet B5).
SESSION_COOKIE = "frontend_state"
#: Fonts and images of GOV.UK Frontend, copied there by scripts/frontend_assets.sh.
GOVUK_ASSETS = PACKAGE_DIR / "static" / "govuk" / "assets"


def create_app(
    settings: Settings | None = None, *, connector_transport: httpx.AsyncBaseTransport | None = None
) -> FastAPI:
    """``connector_transport`` lets tests route connector calls to an in-process app or a mock."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with connector_client(app, settings, caller="frontend", transport=connector_transport):
            with serving_metrics(app, settings.metrics_host, settings.metrics_port):
                yield

    configure_logging(service="frontend", level=settings.log_level, json=settings.log_json)
    app = FastAPI(
        title="GOV.UK Pay payment pages",
        version="1.0.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Published for the contract-driven fuzzer and integrators; no interactive docs on a payment site.
        openapi_url="/openapi.json",
    )
    app.state.settings = settings
    for router in (
        healthcheck_router,
        secure_router,
        card_details_router,
        three_ds_router,
        confirm_router,
        cancel_router,
        return_router,
    ):
        app.include_router(router)
    app.add_api_route("/csp-report", _csp_report, methods=["POST"], status_code=204)
    app.add_api_route("/.well-known/security.txt", _security_txt, methods=["GET"])
    app.add_api_route("/security.txt", _security_txt, methods=["GET"])
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "static"), name="static")
    # The compiled GOV.UK Frontend CSS points its fonts and images at /assets/.
    app.mount("/assets", StaticFiles(directory=GOVUK_ASSETS, check_dir=False), name="govuk-assets")
    register_error_handlers(app)
    app.add_middleware(ErrorPageMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookies_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.cookies_secure)
    add_input_limits(app, settings, render=render_refusal, json_bodies=False)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(MetricsMiddleware, service="frontend")
    instrument_app(app, service="frontend")
    return app


async def _csp_report() -> Response:
    # Reports are accepted and dropped: they only matter to whoever watches the access log.
    return Response(status_code=204)


async def _security_txt() -> RedirectResponse:
    return RedirectResponse("https://vdp.cabinetoffice.gov.uk/.well-known/security.txt", status_code=302)
