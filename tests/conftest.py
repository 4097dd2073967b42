"""Test bootstrap shared by every suite.

The environment is set before any service module is imported. One database is created
per test session (``pay_test_<random>``) on the server :func:`find_test_server` picks,
migrated with Alembic, and dropped at the end, so several test sessions can run on one
machine at once. Tests that touch it start from empty tables (card types stay seeded).
"""

from __future__ import annotations

import os

os.environ.setdefault("CONNECTOR_ENVIRONMENT", "testing")
os.environ.setdefault("PUBLICAPI_ENVIRONMENT", "testing")
os.environ.setdefault("FRONTEND_ENVIRONMENT", "testing")
os.environ.setdefault("PUBLICAPI_TOKEN_API_HMAC_SECRET", "test-hmac-secret")
os.environ.setdefault("CONNECTOR_TOKEN_API_HMAC_SECRET", "test-hmac-secret")
os.environ.setdefault("FRONTEND_SESSION_SECRET", "test-session-secret")
# Service tokens (pay_common.service_auth): every caller of connector signs with the test key
# (tests/service_tokens.py: TEST_SERVICE_TOKEN_KEY).
os.environ.setdefault(
    "CONNECTOR_SERVICE_TOKEN_KEYS",
    '{"publicapi": "test-service-token-key-of-32-bytes-or-more",'
    ' "frontend": "test-service-token-key-of-32-bytes-or-more",'
    ' "pay_admin": "test-service-token-key-of-32-bytes-or-more",'
    ' "webhooks": "test-service-token-key-of-32-bytes-or-more"}',
)
os.environ.setdefault("WEBHOOKS_SERVICE_TOKEN_KEY", "test-service-token-key-of-32-bytes-or-more")
os.environ.setdefault("PUBLICAPI_SERVICE_TOKEN_KEY", "test-service-token-key-of-32-bytes-or-more")
os.environ.setdefault("FRONTEND_SERVICE_TOKEN_KEY", "test-service-token-key-of-32-bytes-or-more")
os.environ.setdefault("PAY_ADMIN_SERVICE_TOKEN_KEY", "test-service-token-key-of-32-bytes-or-more")

import secrets
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from connector.app import create_app as create_connector_app
from connector.config import Settings as ConnectorSettings
from connector.migrate import upgrade_async
from pay_common.embedded import create_database, drop_database, with_database
from pay_common.testing.database import emptying_statements, find_test_server
from tests.service_tokens import service_token_headers

#: The leak guard fails a test that leaves a task, thread, child process or server running after
#: its teardown; pytester lets the guard's own test run a pytest of its own.
pytest_plugins = ["pay_common.testing.leaks", "pytester"]

#: Tables that keep their rows between tests (reference data seeded by migrations).
KEEP_TABLES = frozenset({"alembic_version", "card_types"})


@pytest_asyncio.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A freshly migrated database for this test session (each ``pytest -n`` worker has its own)."""
    # The workers of one xdist run share an embedded server, when one is needed, not start one each.
    admin_url, where = await find_test_server(shared_by=os.environ.get("PYTEST_XDIST_TESTRUNUID"))
    name = f"pay_test_{os.getpid()}_{secrets.token_hex(4)}"
    await create_database(admin_url, name)
    url = with_database(admin_url, name)
    print(f"\n[tests] database {name} on {where}")  # noqa: T201
    try:
        await upgrade_async(url)
        yield url
    finally:
        await drop_database(admin_url, name)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest_asyncio.fixture(scope="session")
async def _emptying_sql(database_url: str) -> str:
    connection = await asyncpg.connect(_dsn(database_url))
    try:
        # One string: asyncpg sends it as one simple query, which PostgreSQL runs as one transaction.
        return "; ".join(await emptying_statements(connection.fetch, keep=KEEP_TABLES))
    finally:
        await connection.close()


@pytest_asyncio.fixture
async def clean_db(database_url: str, _emptying_sql: str) -> str:
    """Empty every table (but the reference data) before the test; returns the database URL."""
    connection = await asyncpg.connect(_dsn(database_url))
    try:
        await connection.execute(_emptying_sql)
    finally:
        await connection.close()
    return database_url


@pytest.fixture(scope="session")
def connector_settings(database_url: str) -> ConnectorSettings:
    return ConnectorSettings(
        database_url=database_url,
        base_url="http://connector.test",
        frontend_url="http://frontend.test",
        run_worker=False,
        log_json=True,
        # Few idle connections per app: the test server's connections are shared by every
        # session (and xdist worker) on the machine. Bursts still get up to 40 (overflow).
        db_pool_size=2,
        db_max_overflow=38,
    )


@pytest_asyncio.fixture(scope="session")
async def connector_app(connector_settings: ConnectorSettings) -> AsyncIterator[FastAPI]:
    """One connector app per test session, its lifespan running (engine, sessionmaker)."""
    app = create_connector_app(connector_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture
async def connector_client(connector_app: FastAPI, clean_db: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the real connector app, on empty tables."""
    transport = httpx.ASGITransport(app=connector_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://connector.test", headers=service_token_headers()
    ) as client:
        yield client


@pytest_asyncio.fixture
async def db_session(connector_app: FastAPI, clean_db: str) -> AsyncIterator[AsyncSession]:
    """A session on the same database, for arranging rows and inspecting what was stored."""
    async with connector_app.state.sessionmaker() as session:
        yield session


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under ``pytest -n`` (scripts/test.sh), the browser tests all run in one worker.

    One Chromium and one served stack, not one per worker: on a small machine more browsers cost
    more than they save. ``--dist loadgroup`` sends every test of a group to the same worker.
    """
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("browser"))
