"""HTTP endpoints of the tasks feature (operations triggers, normally called by a scheduler)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

# Importing the task modules registers their loops in worker.LOOPS (capture, expiry sweep).
from connector.capture import tasks as _capture_tasks  # noqa: F401
from connector.dependencies import SettingsDep
from connector.expiry import tasks as _expiry_tasks  # noqa: F401
from connector.expiry.service import sweep
from connector.observability import tasks as _observability_tasks  # noqa: F401
from connector.postgres import SessionmakerDep

router = APIRouter()


@router.post("/v1/tasks/expired-charges-sweep")
async def expired_charges_sweep(sessionmaker: SessionmakerDep, settings: SettingsDep) -> dict[str, Any]:
    """Expire abandoned charges now; answers ``{"expiry-success": n, "expiry-failed": m}``."""
    result = await sweep(sessionmaker, settings)
    return dict(result.as_json())
