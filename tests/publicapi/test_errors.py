"""Framework-level failures keep the original's shapes, and never show a stack trace."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.asyncio


async def test_unknown_route_is_dropwizards_404(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.get("/v1/nothing-here", headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": 404, "message": "HTTP 404 Not Found"}


async def test_wrong_method_is_405(publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    response = await publicapi_client.delete("/v1/payments", headers=auth_headers)

    assert response.status_code == 405
    assert response.json() == {"code": 405, "message": "HTTP 405 Method Not Allowed"}


async def test_endpoints_need_a_key_before_anything_else(publicapi_client: httpx.AsyncClient) -> None:
    response = await publicapi_client.post("/v1/payments", content=b"{not json")

    assert response.status_code == 401
