"""Every ``/v1`` operation of the real public API demands a key (only ``POST /v1/auth`` may not)."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI

KEYLESS = {("POST", "/v1/auth")}


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    """Every documented operation under ``/v1`` (path parameters filled with ``x``)."""
    operations = []
    for path, methods in app.openapi()["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method in methods:
            if (method.upper(), path) not in KEYLESS:
                operations.append((method.upper(), re.sub(r"\{[^}]+\}", "x", path)))
    return operations


@pytest.mark.asyncio
async def test_every_operation_without_a_key_is_401_before_anything_else(
    publicapi_app: FastAPI, publicapi_client: httpx.AsyncClient, connector_requests: list[httpx.Request]
) -> None:
    operations = _operations(publicapi_app)
    assert ("POST", "/v1/payments") in operations

    for method, path in operations:
        # An unparsable body too: the key is checked before the body is read.
        response = await publicapi_client.request(method, path, content=b"{not json")
        assert response.status_code == 401, (method, path, response.text)
    assert connector_requests == []


@pytest.mark.asyncio
async def test_openapi_declares_the_contracts_bearer_scheme(publicapi_client: httpx.AsyncClient) -> None:
    spec = (await publicapi_client.get("/openapi.json")).json()

    assert spec["components"]["securitySchemes"]["BearerAuth"]["scheme"] == "bearer"
    assert spec["paths"]["/v1/payments"]["post"]["security"] == [{"BearerAuth": []}]
