"""HTTP endpoints of the tasks feature (operations triggers, normally called by a scheduler)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

# Importing the task modules registers their loops in worker.LOOPS (capture, expiry sweep).
from connector.capture import tasks as _capture_tasks  # noqa: F401
from connector.dependencies import SettingsDep
from connector.expiry import tasks as _expiry_tasks  # noqa: F401
from connector.expiry.service import sweep
from connector.gateway_cleanup import service as gateway_cleanup
from connector.postgres import SessionmakerDep

router = APIRouter()


@router.post("/v1/tasks/expired-charges-sweep")
async def expired_charges_sweep(sessionmaker: SessionmakerDep, settings: SettingsDep) -> dict[str, Any]:
    """Expire abandoned charges now; answers ``{"expiry-success": n, "expiry-failed": m}``."""
    result = await sweep(sessionmaker, settings)
    return dict(result.as_json())


@router.post("/v1/tasks/gateway-cleanup-sweep")
async def gateway_cleanup_sweep(
    sessionmaker: SessionmakerDep, limit: int = Query(ge=1, le=10_000)
) -> dict[str, int]:
    """Settle charges left in an authorisation error at Worldpay/Stripe (connector.md §9.3)."""
    result = await gateway_cleanup.sweep(sessionmaker, limit)
    return result.as_json()
