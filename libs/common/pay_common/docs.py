"""Interactive API documentation that works without internet access.

FastAPI's default ``/docs`` and ``/redoc`` pages load Swagger UI and ReDoc from a CDN, so they
are blank on a machine without internet access (or behind a strict egress policy). Here
``/docs`` uses the Swagger UI files shipped in the ``swagger-ui-bundle`` package, served by the
app itself under ``/docs/assets``. ReDoc has no packaged copy, so ``/redoc`` is not offered.
Build the app with ``FastAPI(docs_url=None, redoc_url=None)`` and call :func:`install_offline_docs`.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"
SWAGGER_UI_DIR = Path(swagger_ui_path)


def install_offline_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` from local files, reading the app's ``/openapi.json``."""
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_DIR), name="swagger-ui")

    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - documentation",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
        )

    app.add_api_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)
