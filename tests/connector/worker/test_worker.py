"""The worker: every job type registered explicitly, periodic sweeps on their schedule, each job's body."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.models import Charge, Token
from connector.worker import build_worker_app
from pay_common.db.base import utc_now
from tests.factories import create_account, create_charge
from tests.jobs import drain, jobs_of

S = ChargeStatus


def test_every_job_type_and_schedule_is_registered(connector_settings: Settings) -> None:
    settings = connector_settings.model_copy(update={"expiry_sweep_cron": "*/7 * * * *"})
    app = build_worker_app(settings)

    names = {name for name in app.tasks if not name.startswith(("procrastinate.", "builtin:"))}
    schedules = {p.task.name: p.cron for p in app.periodic_registry.periodic_tasks.values()}

    assert names == {
        jobs.CAPTURE_CHARGE,
        jobs.CAPTURE_SWEEP,
        jobs.EXPIRY_SWEEP,
        jobs.TOKEN_CLEANUP,
        jobs.RECOVERY_SWEEP,
        jobs.PUBLISH_EVENTS,
        jobs.HISTORICAL_EMIT,
        jobs.EMITTED_EVENTS_SWEEP,
        jobs.RETRY_STALLED,
        jobs.SEND_EMAIL,
        jobs.AUTHORISE_USER_NOT_PRESENT,
    }
    assert schedules == {
        jobs.CAPTURE_SWEEP: settings.capture_sweep_cron,
        jobs.EXPIRY_SWEEP: "*/7 * * * *",
        jobs.TOKEN_CLEANUP: settings.token_cleanup_cron,
        jobs.RECOVERY_SWEEP: settings.recovery_sweep_cron,
        jobs.EMITTED_EVENTS_SWEEP: settings.emitted_events_sweep_cron,
        jobs.RETRY_STALLED: settings.retry_stalled_jobs_cron,
    }


async def _defer(session: AsyncSession, task: str) -> None:
    await jobs.defer(session, task, {"timestamp": 0})
    await session.commit()


@pytest.mark.asyncio
async def test_the_expiry_sweep_job_expires_abandoned_charges(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await create_charge(
        db_session, await create_account(db_session), created_date=utc_now() - timedelta(hours=2)
    )
    await _defer(db_session, jobs.EXPIRY_SWEEP)

    await drain(connector_settings)

    await db_session.refresh(charge)
    assert charge.status == S.EXPIRED


@pytest.mark.asyncio
async def test_the_capture_sweep_job_captures_what_no_job_covers(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    # Inserted straight into CAPTURE APPROVED: no transition, so no capture job of its own.
    charge = await create_charge(db_session, await create_account(db_session), status=S.CAPTURE_APPROVED)
    await _defer(db_session, jobs.CAPTURE_SWEEP)

    await drain(connector_settings)

    await db_session.refresh(charge)
    assert charge.status == S.CAPTURED


@pytest.mark.asyncio
async def test_the_token_cleanup_job_deletes_old_tokens_only(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    db_session.add_all(
        [
            Token(
                charge_id=charge.id, secure_redirect_token="old", created_date=utc_now() - timedelta(days=8)
            ),
            Token(charge_id=charge.id, secure_redirect_token="new", created_date=utc_now()),
        ]
    )
    await db_session.commit()
    await _defer(db_session, jobs.TOKEN_CLEANUP)

    await drain(connector_settings)

    left = await db_session.scalars(select(Token.secure_redirect_token))
    assert list(left) == ["new"]


@pytest.mark.asyncio
async def test_a_job_that_keeps_failing_is_dead_listed_and_retried(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    # A job no worker knows fails at once, without retries: the simplest dead job to make.
    await jobs.defer(db_session, "nobody.knows", {"x": 1})
    await db_session.commit()
    await drain(connector_settings)

    listed = await connector_client.get("/v1/tasks/dead-jobs")
    assert listed.status_code == 200
    [dead] = listed.json()["jobs"]
    assert (dead["task"], dead["args"]) == ("nobody.knows", {"x": 1})

    retried = await connector_client.post(f"/v1/tasks/dead-jobs/{dead['id']}/retry")
    assert retried.status_code == 204
    assert [(job.status, job.attempts) for job in await jobs_of(db_session, "nobody.knows")] == [("todo", 0)]
    assert (await connector_client.get("/v1/tasks/dead-jobs")).json() == {"jobs": []}
    again = await connector_client.post(f"/v1/tasks/dead-jobs/{dead['id']}/retry")
    assert again.status_code == 404


@pytest.mark.asyncio
async def test_charges_are_untouched_by_a_worker_with_nothing_to_do(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.AUTHORISATION_SUCCESS)

    await drain(connector_settings)

    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_SUCCESS
    assert await db_session.scalar(select(func.count()).select_from(Charge)) == 1


async def _job_of_a_dead_worker(session: AsyncSession, task: str, args: dict[str, object]) -> None:
    """What ``kill -9`` leaves: a job in ``doing`` whose worker stopped sending heartbeats."""
    queueing_lock = args.pop("qlock", None)
    worker_id = await session.scalar(
        text(
            "INSERT INTO procrastinate_workers (last_heartbeat) VALUES (now() - interval '1 hour') RETURNING id"
        )
    )
    await session.execute(
        text(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, worker_id, queueing_lock)"
            " VALUES ('default', :task, CAST(:args AS jsonb), 'doing', :worker, :qlock)"
        ),
        {"task": task, "args": json.dumps(args), "worker": worker_id, "qlock": queueing_lock},
    )
    await session.commit()


@pytest.mark.asyncio
async def test_a_job_left_running_by_a_killed_worker_is_run_again(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.CAPTURE_APPROVED)
    await _job_of_a_dead_worker(db_session, jobs.CAPTURE_CHARGE, {"charge_external_id": charge.external_id})
    await _defer(db_session, jobs.RETRY_STALLED)

    await drain(connector_settings)

    await db_session.refresh(charge)
    assert charge.status == S.CAPTURED
    assert await jobs_of(db_session, jobs.CAPTURE_CHARGE) == []


@pytest.mark.asyncio
async def test_a_stalled_periodic_job_whose_next_run_is_queued_is_dropped(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    # The killed run and its next run share the periodic job's queueing lock: only one may be queued.
    await _job_of_a_dead_worker(db_session, jobs.TOKEN_CLEANUP, {"timestamp": 0, "qlock": jobs.TOKEN_CLEANUP})
    await db_session.execute(
        text(
            "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, queueing_lock, scheduled_at)"
            " VALUES ('default', :task, '{\"timestamp\": 1}', 'todo', :qlock, now() + interval '1 hour')"
        ),
        {"task": jobs.TOKEN_CLEANUP, "qlock": jobs.TOKEN_CLEANUP},
    )
    await db_session.commit()
    await _defer(db_session, jobs.RETRY_STALLED)

    await drain(connector_settings)

    assert [job.status for job in await jobs_of(db_session, jobs.TOKEN_CLEANUP)] == ["todo"]
    assert await jobs_of(db_session, jobs.RETRY_STALLED) == []  # it did not die on the conflict
