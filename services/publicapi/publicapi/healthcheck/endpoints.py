"""``GET /healthcheck``: the public API holds no database; it answers while it can serve."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["healthcheck"])


@router.get("/healthcheck")
async def healthcheck() -> dict[str, dict[str, bool]]:
    return {"ping": {"healthy": True}}
