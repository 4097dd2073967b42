"""The recovery loop resolves intent states on its own schedule, and stops when told."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import cast

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector import worker
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.recovery.tasks import recovery_loop
from pay_common.db.base import utc_now
from tests.factories import create_account, create_charge

S = ChargeStatus


def test_the_recovery_loop_is_registered() -> None:
    assert worker.LOOPS["recovery"] is recovery_loop


@pytest.mark.asyncio
async def test_recovery_loop_resolves_a_stale_authorisation(
    db_session: AsyncSession, connector_app: FastAPI, connector_settings: Settings
) -> None:
    charge = await create_charge(
        db_session, await create_account(db_session), status=S.AUTHORISATION_READY, updated_date=utc_now()
    )
    settings = connector_settings.model_copy(
        update={"stale_intent_after_seconds": 0, "recovery_interval_seconds": 0.05}
    )
    app = cast(
        FastAPI,
        SimpleNamespace(
            state=SimpleNamespace(settings=settings, sessionmaker=connector_app.state.sessionmaker)
        ),
    )
    tasks = [asyncio.create_task(recovery_loop(app))]
    try:
        for _ in range(200):
            await db_session.refresh(charge)
            if charge.status != S.AUTHORISATION_READY:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop(tasks)
    assert charge.status == S.EXPIRED
