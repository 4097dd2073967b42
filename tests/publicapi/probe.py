"""Probe routes for the auth and rate-limit tests, mounted on the real publicapi app.

They stand in for the payment endpoints under their own prefix, so these tests do not
depend on (or collide with) the public endpoints themselves. The path type of the rate
key depends only on the path's ending, so ``/v1/probe/payments`` counts as create payment.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI

from publicapi.auth.dependencies import AuthDep
from publicapi.ratelimit.dependencies import RateLimitDep

router = APIRouter(prefix="/v1/probe")


def _who(auth: Any) -> dict[str, str]:
    return {"account_id": auth.account_id, "token_type": auth.token_type, "token_link": auth.token_link}


@router.get("/payments")
async def probe_search(auth: AuthDep) -> dict[str, str]:
    return _who(auth)


@router.post("/payments")
async def probe_create(auth: AuthDep) -> dict[str, str]:
    return _who(auth)


@router.get("/payments/{payment_id}")
async def probe_get(payment_id: str, auth: AuthDep) -> dict[str, str]:
    return _who(auth)


@router.post("/payments/{payment_id}/capture")
async def probe_capture(payment_id: str, auth: AuthDep) -> dict[str, str]:
    return _who(auth)


@router.post("/payments/{payment_id}/cancel")
async def probe_cancel(payment_id: str, auth: AuthDep) -> dict[str, str]:
    return _who(auth)


@router.post("/auth")
async def probe_anonymous(_: RateLimitDep) -> dict[str, str]:
    return {}


def mount_probe(app: FastAPI) -> None:
    app.include_router(router)
