"""The recovery sweep runs as a periodic job of the worker, every 15 s by default."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.worker import build_worker_app
from pay_common.db.base import utc_now
from tests.factories import create_account, create_charge
from tests.jobs import drain

S = ChargeStatus


def test_the_recovery_sweep_is_a_periodic_job(connector_settings: Settings) -> None:
    app = build_worker_app(connector_settings)
    schedules = {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}
    assert schedules[jobs.RECOVERY_SWEEP] == "* * * * * */15"


@pytest.mark.asyncio
async def test_the_recovery_job_resolves_stale_intents(
    db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await create_account(db_session)
    authorising = await create_charge(
        db_session, account, status=S.AUTHORISATION_READY, updated_date=utc_now()
    )
    capturing = await create_charge(db_session, account, status=S.CAPTURE_READY, updated_date=utc_now())
    await jobs.defer(db_session, jobs.RECOVERY_SWEEP, {"timestamp": 0})
    await db_session.commit()

    await drain(connector_settings, stale_intent_after_seconds=0)

    await db_session.refresh(authorising)
    await db_session.refresh(capturing)
    assert (authorising.status, capturing.status) == (S.EXPIRED, S.CAPTURED)
