"""HTTP endpoints of the tasks feature (operations triggers, normally called by a scheduler).

The seed serves the historical emitters on the admin port (9301) as ``/tasks/...``; they answer
here under both ``/tasks/...`` and ``/v1/tasks/...`` (the seed's own curl shows the latter), and
on ``admin_port`` too when it is set (``connector.admin``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from connector.dependencies import SettingsDep
from connector.errors import NotFound
from connector.events.service import HistoricalRange, sweep_unemitted
from connector.expiry.service import sweep
from connector.postgres import SessionDep, SessionmakerDep
from connector.tasks import service

router = APIRouter()
#: The routes the admin port serves too.
admin_router = APIRouter()


@router.post("/v1/tasks/expired-charges-sweep")
async def expired_charges_sweep(sessionmaker: SessionmakerDep, settings: SettingsDep) -> dict[str, Any]:
    """Expire abandoned charges now; answers ``{"expiry-success": n, "expiry-failed": m}``."""
    result = await sweep(sessionmaker, settings)
    return dict(result.as_json())


@router.post("/v1/tasks/emitted-events-sweep")
async def emitted_events_sweep(sessionmaker: SessionmakerDep, settings: SettingsDep) -> Response:
    """Re-send events older than ``NOT_EMITTED_EVENT_MAX_AGE_IN_SECONDS`` never marked emitted."""
    await sweep_unemitted(sessionmaker, settings)
    return Response(status_code=200)


@router.post("/v1/tasks/gateway-cleanup-sweep")
async def gateway_cleanup_sweep(limit: Annotated[int, Query(ge=0)]) -> dict[str, int]:
    return service.gateway_cleanup(limit)


@admin_router.post("/tasks/historical-event-emitter")
@admin_router.post("/v1/tasks/historical-event-emitter", include_in_schema=False)
async def historical_event_emitter(
    session: SessionDep,
    start_id: Annotated[int, Query(ge=0)] = 0,
    max_id: Annotated[int | None, Query(ge=0)] = None,
    record_type: Literal["charge", "refund"] = "charge",
    do_not_retry_emit_until: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """Emit the events of charges (or refunds) ``start_id``..``max_id`` never emitted; runs as a job."""
    wanted = HistoricalRange(
        record_type=record_type,
        start_id=start_id,
        max_id=max_id,
        do_not_retry_emit_until=do_not_retry_emit_until,
    )
    await service.defer_historical_emit(session, wanted)
    return Response(status_code=200)


@admin_router.post("/tasks/historical-event-emitter-by-date")
@admin_router.post("/v1/tasks/historical-event-emitter-by-date", include_in_schema=False)
async def historical_event_emitter_by_date(
    session: SessionDep,
    start_date: datetime,
    end_date: datetime,
    do_not_retry_emit_until: Annotated[int | None, Query(ge=0)] = None,
) -> Response:
    """Emit the charge and refund events dated ``start_date``..``end_date`` never emitted; runs as a job."""
    wanted = HistoricalRange(
        start_date=start_date, end_date=end_date, do_not_retry_emit_until=do_not_retry_emit_until
    )
    await service.defer_historical_emit(session, wanted)
    return Response(status_code=200)


@router.get("/v1/tasks/dead-jobs")
async def dead_jobs(
    session: SessionDep,
    task: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Jobs whose retries ran out (procrastinate ``failed``), oldest first: ``pay-admin dead-jobs``."""
    return {"jobs": await service.list_dead_jobs(session, task=task, limit=limit)}


@router.post("/v1/tasks/dead-jobs/{job_id}/retry", status_code=204)
async def retry_dead_job(session: SessionDep, job_id: int) -> Response:
    if not await service.retry_dead_job(session, job_id):
        raise NotFound(f"Dead job {job_id} not found")
    return Response(status_code=204)


router.include_router(admin_router)
