"""``GET /healthcheck``."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["healthcheck"])


@router.get("/healthcheck")
async def healthcheck() -> dict[str, dict[str, bool]]:
    return {"ping": {"healthy": True}}
