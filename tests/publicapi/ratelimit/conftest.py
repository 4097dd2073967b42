"""Rate-limit fixtures: small limits, the probe routes, keys for several accounts, Redis."""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
import pytest_asyncio
import redis.asyncio as redis
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from publicapi.config import Settings
from tests.factories import create_account
from tests.publicapi.conftest import CONNECTOR_BASE_URL, PUBLICAPI_BASE_URL, issue_api_key
from tests.publicapi.probe import mount_probe

#: The Redis the Redis tests use (``TEST_REDIS_URL`` to point elsewhere).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

NewKey = Callable[[], Awaitable[tuple[str, dict[str, str]]]]


def small_limits(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_url": PUBLICAPI_BASE_URL,
        "connector_url": CONNECTOR_BASE_URL,
        "log_json": True,
        "rate_limiter_value": 3,
        "rate_limiter_value_post": 2,
        "rate_limiter_value_per_node": 5,
        "rate_limiter_value_per_node_post": 4,
        # Long windows, so a slow machine can never roll into the next window mid-test.
        "rate_limiter_per_millis": 60_000,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def publicapi_settings() -> Settings:
    return small_limits()


@pytest_asyncio.fixture
async def client(
    publicapi_app: FastAPI, publicapi_client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    mount_probe(publicapi_app)
    yield publicapi_client


@pytest.fixture
def new_key(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> NewKey:
    """Makes a fresh account with a key: returns ``(account_id, auth headers)``."""

    async def make() -> tuple[str, dict[str, str]]:
        account = await create_account(db_session)
        key = await issue_api_key(connector_client, account.id)
        return str(account.id), {"Authorization": f"Bearer {key}"}

    return make


@pytest_asyncio.fixture
async def redis_url() -> AsyncIterator[str]:
    """The local Redis, or a skip (with the reason in the summary) when none answers."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        await client.ping()
    except (redis.RedisError, OSError) as exc:
        pytest.skip(f"no Redis at {REDIS_URL} ({type(exc).__name__}); Redis rate-limit tests skipped")
    finally:
        await client.aclose()
    yield REDIS_URL


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of this test's own, so parallel test runs never share counters."""
    return f"publicapi-test-{uuid.uuid4().hex}"


class RedisProxy:
    """A TCP relay in front of Redis that the test can cut, as if Redis died mid-flight."""

    def __init__(self, target_url: str = REDIS_URL) -> None:
        target = redis.connection.parse_url(target_url)
        self._target_host = str(target.get("host", "127.0.0.1"))
        self._target_port = int(target.get("port", 6379))
        self._db = int(target.get("db", 0))
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/{self._db}"

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        upstream_reader, upstream_writer = await asyncio.open_connection(self._target_host, self._target_port)
        self._writers += [writer, upstream_writer]
        await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))

    async def kill(self) -> None:
        """Stop listening and drop every open connection."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in self._writers:
            writer.close()
            with contextlib.suppress(OSError, ConnectionError):
                await writer.wait_closed()
        self._writers.clear()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.close()


@pytest_asyncio.fixture
async def redis_proxy(redis_url: str) -> AsyncIterator[RedisProxy]:
    proxy = RedisProxy()
    await proxy.start()
    try:
        yield proxy
    finally:
        await proxy.kill()
