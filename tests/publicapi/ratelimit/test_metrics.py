"""Rate-limit refusals are counted (pay_rate_limit_refusals_total)."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import REGISTRY

from tests.publicapi.ratelimit.conftest import NewKey


def _refusals(method: str) -> float:
    return REGISTRY.get_sample_value("pay_rate_limit_refusals_total", {"method": method}) or 0.0


@pytest.mark.asyncio
async def test_each_429_is_counted_by_method(client: httpx.AsyncClient, new_key: NewKey) -> None:
    _, headers = await new_key()
    before = _refusals("POST")

    statuses = [(await client.post("/v1/probe/payments", headers=headers)).status_code for _ in range(4)]

    assert statuses == [200, 200, 429, 429]
    assert _refusals("POST") == before + 2
