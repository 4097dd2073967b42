"""/docs works offline: every asset the page loads is served by the app itself."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

from connector.app import create_app as create_connector_app
from connector.config import Settings as ConnectorSettings
from publicapi.app import create_app as create_publicapi_app
from publicapi.config import Settings as PublicApiSettings


def _apps() -> list[FastAPI]:
    return [
        create_connector_app(ConnectorSettings(database_url="postgresql://unused@127.0.0.1/none")),
        create_publicapi_app(PublicApiSettings()),
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("app", _apps(), ids=["connector", "publicapi"])
async def test_docs_page_and_its_assets_are_local(app: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://docs.test"
    ) as client:
        page = await client.get("/docs")
        assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        fetched = {url: (await client.get(url)).status_code for url in assets}
        redoc = await client.get("/redoc")

    assert page.status_code == 200
    assert "SwaggerUIBundle" in page.text
    assert assets, "the page loads Swagger UI's script and stylesheet"
    assert all(url.startswith("/docs/assets/") for url in assets), assets
    assert set(fetched.values()) == {200}, fetched
    assert "url: '/openapi.json'" in page.text
    assert redoc.status_code == 404
