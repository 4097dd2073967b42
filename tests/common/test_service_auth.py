"""Service tokens: who may call connector, for how long, and what a refusal looks like."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest
from fastapi import FastAPI

from pay_common.service_auth import (
    SERVICE_TOKEN_HEADER,
    InvalidServiceToken,
    ServiceAuthMiddleware,
    ServiceTokenSigner,
    ServiceTokenVerifier,
)

KEY = "publicapi-key-of-at-least-32-bytes-long"
OTHER_KEY = "frontend-key-of-at-least-32-bytes-long!"
verifier = ServiceTokenVerifier({"publicapi": KEY, "frontend": OTHER_KEY})


def test_a_token_names_its_caller() -> None:
    assert verifier.verify(ServiceTokenSigner("publicapi", KEY).mint()) == "publicapi"


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(ServiceTokenSigner("frontend", KEY).mint(), id="signed-with-another-callers-key"),
        pytest.param(ServiceTokenSigner("webhooks", KEY).mint(), id="unknown-caller"),
        pytest.param(
            ServiceTokenSigner("publicapi", KEY, audience="ledger").mint(), id="for-another-service"
        ),
        pytest.param(ServiceTokenSigner("publicapi", KEY).mint(60, now=time.time() - 120), id="expired"),
        pytest.param("not-a-jwt", id="garbage"),
        pytest.param(
            jwt.encode(
                {"iss": "publicapi", "aud": "connector", "iat": 0, "exp": 10**10}, KEY, algorithm="HS256"
            ),
            id="lifetime-too-long",
        ),
        pytest.param(
            jwt.encode({"iss": "publicapi", "aud": "connector"}, KEY, algorithm="HS256"), id="no-expiry"
        ),
    ],
)
def test_tokens_that_are_refused(token: str) -> None:
    with pytest.raises(InvalidServiceToken):
        verifier.verify(token)


def test_a_signer_refuses_to_mint_beyond_the_maximum_lifetime() -> None:
    with pytest.raises(ValueError, match="between 1 and 3600 seconds"):
        ServiceTokenSigner("pay_admin", KEY).mint(3601)


def test_the_signer_reuses_its_token_until_half_its_life() -> None:
    signer = ServiceTokenSigner("publicapi", KEY, ttl_seconds=60)

    assert signer.token() == signer.token()


@pytest.mark.asyncio
async def test_the_middleware_guards_api_routes_only() -> None:
    app = FastAPI()

    @app.get("/v1/api/thing")
    async def thing() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/healthcheck")
    async def health() -> dict[str, str]:
        return {"ok": "yes"}

    app.add_middleware(ServiceAuthMiddleware, verifier=verifier)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://c.test") as client:
        refused = await client.get("/v1/api/thing")
        allowed = await client.get(
            "/v1/api/thing", headers={SERVICE_TOKEN_HEADER: ServiceTokenSigner("publicapi", KEY).mint()}
        )
        open_route = await client.get("/healthcheck")

    assert refused.status_code == 401
    assert refused.json() == {"message": ["A valid service token is required"]}
    assert allowed.json() == {"ok": "yes"}
    assert open_route.status_code == 200
