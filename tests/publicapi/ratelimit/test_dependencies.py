"""Rate limiting through the real publicapi app (in-memory storage, publicapi.md §c)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from publicapi.config import Settings
from tests.publicapi.ratelimit.conftest import NewKey

TOO_MANY = {"code": "P0900", "description": "Too many requests"}


def assert_limited(response: httpx.Response, *, max_retry_after: int = 60) -> None:
    assert response.status_code == 429
    assert response.json() == TOO_MANY
    assert response.headers["content-type"] == "application/json"
    assert 1 <= int(response.headers["retry-after"]) <= max_retry_after


@pytest.mark.asyncio
async def test_over_the_post_limit_is_429_with_retry_after(
    client: httpx.AsyncClient, new_key: NewKey
) -> None:
    _, headers = await new_key()

    statuses = [(await client.post("/v1/probe/payments", headers=headers)).status_code for _ in range(2)]
    refused = await client.post("/v1/probe/payments", headers=headers)

    assert statuses == [200, 200]
    assert_limited(refused)


@pytest.mark.asyncio
async def test_accounts_have_separate_budgets(client: httpx.AsyncClient, new_key: NewKey) -> None:
    _, first = await new_key()
    _, second = await new_key()
    for _ in range(2):
        await client.post("/v1/probe/payments", headers=first)

    assert_limited(await client.post("/v1/probe/payments", headers=first))
    assert (await client.post("/v1/probe/payments", headers=second)).status_code == 200


@pytest.mark.asyncio
async def test_methods_and_path_types_have_separate_budgets(
    client: httpx.AsyncClient, new_key: NewKey
) -> None:
    _, headers = await new_key()
    for _ in range(2):
        assert (await client.post("/v1/probe/payments", headers=headers)).status_code == 200
    assert_limited(await client.post("/v1/probe/payments", headers=headers))

    # GETs share one bucket of 3, whatever the path.
    gets = [
        (await client.get(path, headers=headers)).status_code
        for path in (
            "/v1/probe/payments",
            "/v1/probe/payments/a",
            "/v1/probe/payments/b",
            "/v1/probe/payments/c",
        )
    ]
    assert gets == [200, 200, 200, 429]
    # Capture has its own POST bucket; cancel shares the plain POST bucket with other POSTs.
    captures = [
        (await client.post("/v1/probe/payments/a/capture", headers=headers)).status_code for _ in range(3)
    ]
    cancels = [
        (await client.post(f"/v1/probe/payments/{i}/cancel", headers=headers)).status_code for i in range(3)
    ]
    assert captures == [200, 200, 429]
    assert cancels == [200, 200, 429]


@pytest.mark.asyncio
async def test_authentication_comes_first_and_unauthenticated_calls_are_not_counted(
    client: httpx.AsyncClient, new_key: NewKey
) -> None:
    _, headers = await new_key()
    for _ in range(5):
        assert (await client.post("/v1/probe/payments")).status_code == 401

    assert [(await client.post("/v1/probe/payments", headers=headers)).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    assert (
        await client.post("/v1/probe/payments", headers={"Authorization": "Bearer nope"})
    ).status_code == 401


@pytest.mark.asyncio
async def test_the_keyless_route_shares_one_bucket(client: httpx.AsyncClient) -> None:
    statuses = [(await client.post("/v1/probe/auth")).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.asyncio
async def test_elevated_and_low_traffic_accounts(
    publicapi_app: FastAPI, client: httpx.AsyncClient, new_key: NewKey
) -> None:
    elevated, elevated_headers = await new_key()
    low, low_headers = await new_key()
    settings: Settings = publicapi_app.state.settings
    # The accounts exist only now, so the lists are set on a fresh limiter for this app.
    publicapi_app.state.settings = settings.model_copy(
        update={
            "rate_limiter_elevated_accounts": elevated,
            "rate_limiter_elevated_value_post": 4,
            "rate_limiter_low_traffic_accounts": f"{low},{elevated}",
            "rate_limiter_low_traffic_value_post": 1,
            "rate_limiter_low_traffic_per_millis": 120_000,
        }
    )
    publicapi_app.state.rate_limiter = None

    elevated_statuses = [
        (await client.post("/v1/probe/payments", headers=elevated_headers)).status_code for _ in range(5)
    ]
    low_first = await client.post("/v1/probe/payments", headers=low_headers)
    low_second = await client.post("/v1/probe/payments", headers=low_headers)

    assert elevated_statuses == [200, 200, 200, 200, 429]
    assert low_first.status_code == 200
    assert_limited(low_second, max_retry_after=120)
    assert int(low_second.headers["retry-after"]) > 60


@pytest.mark.asyncio
async def test_the_real_payment_endpoints_are_limited(client: httpx.AsyncClient, new_key: NewKey) -> None:
    _, headers = await new_key()
    body = {"amount": 100, "description": "d", "reference": "r", "return_url": "https://example.org/r"}

    created = [(await client.post("/v1/payments", json=body, headers=headers)).status_code for _ in range(3)]
    searched = [(await client.get("/v1/payments", headers=headers)).status_code for _ in range(4)]

    assert created == [201, 201, 429]
    assert searched == [200, 200, 200, 429]
