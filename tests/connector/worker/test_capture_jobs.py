"""Capture jobs: deferred in the transaction that approves the capture, run by a worker."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.models import Charge
from tests.factories import create_account, create_charge
from tests.jobs import drain, jobs_of

S = ChargeStatus


async def _status(session: AsyncSession, charge: Charge) -> str:
    await session.refresh(charge)
    status = charge.status
    await session.commit()
    return status


@pytest.mark.asyncio
async def test_user_approval_enqueues_the_capture_and_a_worker_captures(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.AUTHORISATION_SUCCESS)

    response = await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/capture")

    assert response.status_code == 204
    queued = await jobs_of(db_session, jobs.CAPTURE_CHARGE)
    assert [(job.status, job.args) for job in queued] == [
        ("todo", {"charge_external_id": charge.external_id})
    ]
    await drain(connector_settings)
    assert await _status(db_session, charge) == S.CAPTURED
    assert await jobs_of(db_session, jobs.CAPTURE_CHARGE) == []  # succeeded jobs are deleted


@pytest.mark.asyncio
async def test_a_rolled_back_approval_enqueues_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.AUTHORISATION_SUCCESS)

    await transition(db_session, charge, S.CAPTURE_APPROVED)
    assert [job.task_name for job in await jobs_of(db_session, jobs.CAPTURE_CHARGE, commit=False)] == [
        jobs.CAPTURE_CHARGE
    ]
    await db_session.rollback()

    assert await jobs_of(db_session, jobs.CAPTURE_CHARGE) == []
    assert await _status(db_session, charge) == S.AUTHORISATION_SUCCESS
