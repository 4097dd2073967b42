"""The worker loops run the capture step and the expiry sweep on their own."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector import worker
from connector.capture.tasks import capture_loop
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.expiry.tasks import expiry_loop
from connector.models import Charge
from pay_common.db.base import utc_now
from tests.factories import create_account, create_charge

S = ChargeStatus


def _app(connector_app: FastAPI, settings: Settings) -> FastAPI:
    state = SimpleNamespace(settings=settings, sessionmaker=connector_app.state.sessionmaker)
    return cast(FastAPI, SimpleNamespace(state=state))


async def _wait_for(session: AsyncSession, charge: Charge, status: ChargeStatus) -> str:
    for _ in range(100):
        await session.refresh(charge)
        if charge.status == status:
            break
        await asyncio.sleep(0.05)
    return charge.status


def test_loops_are_registered() -> None:
    assert worker.LOOPS["capture"] is capture_loop
    assert worker.LOOPS["expiry-sweep"] is expiry_loop


@pytest.mark.asyncio
async def test_capture_loop_captures_approved_charges(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.CAPTURE_APPROVED)
    settings = connector_settings.model_copy(update={"worker_poll_seconds": 0.05})
    tasks = [asyncio.create_task(capture_loop(_app(connector_app, settings)))]
    try:
        assert await _wait_for(db_session, charge, S.CAPTURED) == S.CAPTURED
    finally:
        await worker.stop(tasks)


@pytest.mark.asyncio
async def test_expiry_loop_sweeps_on_its_schedule(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    old = utc_now() - timedelta(hours=2)
    charge = await create_charge(db_session, await create_account(db_session), created_date=old)
    settings = connector_settings.model_copy(update={"expiry_sweep_interval_seconds": 0.05})
    tasks = [asyncio.create_task(expiry_loop(_app(connector_app, settings)))]
    try:
        assert await _wait_for(db_session, charge, S.EXPIRED) == S.EXPIRED
    finally:
        await worker.stop(tasks)
