"""POST /v1/auth has no API key: every caller counts against one shared POST bucket (publicapi.md §c)."""

from __future__ import annotations

import httpx
import pytest

from publicapi.config import Settings
from tests.publicapi.motoapi.moto import CARD
from tests.publicapi.ratelimit.conftest import small_limits

pytestmark = pytest.mark.asyncio

BODY = {"one_time_token": "unknown", **CARD}


@pytest.fixture
def publicapi_settings() -> Settings:
    return small_limits()


async def test_the_shared_bucket_refuses_past_the_post_limit(publicapi_client: httpx.AsyncClient) -> None:
    answers = [(await publicapi_client.post("/v1/auth", json=BODY)).status_code for _ in range(3)]

    assert answers == [400, 400, 429]
    refused = await publicapi_client.post("/v1/auth", json=BODY)
    assert refused.json() == {"code": "P0900", "description": "Too many requests"}
