"""The webhooks app on the test database (its own schema), with connector in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from webhooks.app import create_app
from webhooks.config import Settings
from webhooks.migrate import upgrade_async


class FakeResolver:
    """A fixed table of names (no DNS here); a name that is not in it does not resolve."""

    def __init__(self, table: dict[str, list[str]] | None = None) -> None:
        self.table = {"localhost": ["127.0.0.1"], **(table or {})}

    async def __call__(self, host: str, port: int) -> list[str]:
        if host in self.table:
            return self.table[host]
        raise OSError(f"{host} does not resolve")


WEBHOOK_TABLES = ("webhook_delivery_queue", "webhook_messages", "webhook_subscriptions", "webhooks")
INGEST_SECRET = "test-event-ingest-secret"


@pytest_asyncio.fixture(scope="session")
async def webhooks_database(database_url: str) -> str:
    await upgrade_async(database_url)
    return database_url


def webhooks_settings_for(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "environment": "testing",
        "event_ingest_secret": INGEST_SECRET,
        "signing_key_encryption_secret": "test-signing-key-encryption-secret",
        "callback_url_policy": "development",
        "log_json": True,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def webhooks_settings(webhooks_database: str) -> Settings:
    return webhooks_settings_for(webhooks_database)


AppFactory = Callable[..., AbstractAsyncContextManager[tuple[FastAPI, httpx.AsyncClient]]]


@pytest.fixture
def webhooks_app_factory(webhooks_database: str, connector_app: FastAPI, clean_webhooks: None) -> AppFactory:
    """Another webhooks app (settings overridden, a resolver of the test's own) and a client on it."""

    @asynccontextmanager
    async def build(
        resolver: FakeResolver | None = None, *, connector_reachable: bool = True, **overrides: object
    ) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
        """``connector_reachable=False``: its connector URL is a closed local port."""
        if not connector_reachable:
            overrides["connector_url"] = "http://127.0.0.1:9"
        app = create_app(
            webhooks_settings_for(webhooks_database, **overrides),
            connector_transport=httpx.ASGITransport(app=connector_app) if connector_reachable else None,
            resolver=resolver or FakeResolver(),
        )
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://webhooks.test") as client:
                yield app, client

    return build


@pytest_asyncio.fixture(scope="session")
async def webhooks_app(webhooks_settings: Settings, connector_app: FastAPI) -> AsyncIterator[FastAPI]:
    app = create_app(
        webhooks_settings, connector_transport=httpx.ASGITransport(app=connector_app), resolver=FakeResolver()
    )
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture
async def clean_webhooks(webhooks_database: str, clean_db: str) -> None:
    dsn = make_url(webhooks_database).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        tables = ", ".join(f"webhooks.{table}" for table in WEBHOOK_TABLES)
        await connection.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    finally:
        await connection.close()


@pytest_asyncio.fixture
async def webhooks_client(webhooks_app: FastAPI, clean_webhooks: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=webhooks_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://webhooks.test") as client:
        yield client


# The payment pages, for the journey that ends in webhooks (registered here as fixtures).
from tests.frontend.conftest import browser, frontend_app, new_browser, new_payment  # noqa: E402, F401
