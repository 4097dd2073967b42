"""Rate limiting in Redis, shared by replicas, and the local fallback when Redis dies."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from publicapi.app import create_app
from publicapi.ratelimit.service import RateLimiter
from tests.publicapi.conftest import PUBLICAPI_BASE_URL
from tests.publicapi.probe import mount_probe
from tests.publicapi.ratelimit.conftest import NewKey, RedisProxy, small_limits

pytestmark = [pytest.mark.redis, pytest.mark.asyncio]

Replica = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def replica(connector_app: FastAPI, clean_db: str, redis_prefix: str) -> Replica:
    """Starts one more publicapi process-equivalent (own app, own memory) on the given Redis."""

    @asynccontextmanager
    async def start(redis_url: str, **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        settings = small_limits(redis_url=redis_url, redis_key_prefix=redis_prefix, **overrides)
        app = create_app(settings, connector_transport=httpx.ASGITransport(app=connector_app))
        mount_probe(app)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=PUBLICAPI_BASE_URL) as client:
                client.app = app  # type: ignore[attr-defined]
                yield client

    return start


async def _post_statuses(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> list[int]:
    return [(await client.post("/v1/probe/payments", headers=headers)).status_code for _ in range(count)]


async def test_replicas_share_one_budget_in_redis(redis_url: str, replica: Replica, new_key: NewKey) -> None:
    _, headers = await new_key()
    async with replica(redis_url) as first, replica(redis_url) as second:
        assert first.app.state.rate_limiter.uses_redis  # type: ignore[attr-defined]
        assert await _post_statuses(first, headers, 1) == [200]
        assert await _post_statuses(second, headers, 1) == [200]
        refused = await first.post("/v1/probe/payments", headers=headers)
        also_refused = await second.post("/v1/probe/payments", headers=headers)

    assert refused.status_code == 429
    assert refused.json() == {"code": "P0900", "description": "Too many requests"}
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert also_refused.status_code == 429


async def test_redis_keys_are_per_account_and_method(
    redis_url: str, replica: Replica, new_key: NewKey
) -> None:
    _, first_account = await new_key()
    _, second_account = await new_key()
    async with replica(redis_url) as client:
        assert await _post_statuses(client, first_account, 3) == [200, 200, 429]
        assert await _post_statuses(client, second_account, 1) == [200]
        assert (await client.get("/v1/probe/payments", headers=first_account)).status_code == 200


async def test_falls_back_to_the_local_limiter_when_redis_dies_mid_flight(
    redis_proxy: RedisProxy, replica: Replica, new_key: NewKey
) -> None:
    _, headers = await new_key()
    async with replica(redis_proxy.url, redis_retry_after_seconds=60) as client:
        limiter: RateLimiter = client.app.state.rate_limiter  # type: ignore[attr-defined]
        assert await _post_statuses(client, headers, 3) == [200, 200, 429]

        await redis_proxy.kill()

        # Per-node fallback: 4 POSTs a window, counted in this process only.
        assert await _post_statuses(client, headers, 5) == [200, 200, 200, 200, 429]
        assert limiter.uses_redis


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_an_unreachable_redis_from_the_start_uses_the_fallback(
    replica: Replica, new_key: NewKey
) -> None:
    _, headers = await new_key()
    async with replica(f"redis://127.0.0.1:{_closed_port()}/0", redis_retry_after_seconds=0) as client:
        # Redis is retried on every request here (retry after 0 s) and each time falls back.
        assert await _post_statuses(client, headers, 5) == [200, 200, 200, 200, 429]
        refused = await client.post("/v1/probe/payments", headers=headers)
    assert refused.json() == {"code": "P0900", "description": "Too many requests"}
    assert "retry-after" in refused.headers
