"""Capture: the worker's step (claim, gateway, record), retries, crash recovery, delayed capture API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import _capture_one, capture_due
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.models import Charge, ChargeEvent
from pay_common.db.base import utc_now
from tests.connector.gateways.fakes import CountingGateway, SimulatedCrash
from tests.factories import create_account, create_charge

S = ChargeStatus


async def _status(session: AsyncSession, charge: Charge) -> str:
    await session.refresh(charge)
    return charge.status


async def _events(session: AsyncSession, charge: Charge) -> list[str]:
    rows = await session.scalars(
        select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id).order_by(ChargeEvent.id)
    )
    return list(rows.all())


@pytest.mark.asyncio
@pytest.mark.parametrize("start", [S.CAPTURE_APPROVED, S.CAPTURE_QUEUED])
async def test_worker_captures_approved_and_queued_charges(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
    start: ChargeStatus,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=start)
    assert await _capture_one(connector_app.state.sessionmaker, connector_settings) == S.CAPTURED
    assert (await _events(db_session, charge))[1:] == ["CAPTURE READY", "CAPTURE SUBMITTED", "CAPTURED"]
    assert await _capture_one(connector_app.state.sessionmaker, connector_settings) is None


@pytest.mark.asyncio
async def test_worker_leaves_other_statuses_alone(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    for status in (S.AUTHORISATION_SUCCESS, S.AWAITING_CAPTURE_REQUEST, S.CAPTURED, S.CAPTURE_SUBMITTED):
        await create_charge(db_session, account, status=status)
    recent_retry = await create_charge(db_session, account, status=S.CAPTURE_APPROVED_RETRY)
    assert await capture_due(connector_app.state.sessionmaker, connector_settings) == 0
    assert await _status(db_session, recent_retry) == S.CAPTURE_APPROVED_RETRY


@pytest.mark.asyncio
async def test_failed_capture_is_retried_after_the_delay_then_abandoned(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.CAPTURE_APPROVED)
    settings = connector_settings.model_copy(update={"capture_process_maximum_retries": 2})
    sessionmaker = connector_app.state.sessionmaker
    failing = CountingGateway(fail=frozenset({"capture"}))
    later = utc_now() + timedelta(seconds=settings.capture_process_failed_capture_retry_delay_in_seconds + 1)
    with registry.override("sandbox", failing):
        assert await _capture_one(sessionmaker, settings) == S.CAPTURE_APPROVED_RETRY
        assert await _capture_one(sessionmaker, settings) is None  # not due before the retry delay
        assert await _capture_one(sessionmaker, settings, now=later) == S.CAPTURE_ERROR
    assert failing.calls["capture"] == 2
    assert (await _events(db_session, charge))[1:] == [
        "CAPTURE READY",
        "CAPTURE APPROVED RETRY",
        "CAPTURE READY",
        "CAPTURE APPROVED RETRY",
        "CAPTURE ERROR",
    ]


@pytest.mark.asyncio
async def test_retry_succeeds_when_the_gateway_recovers(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.CAPTURE_APPROVED)
    sessionmaker = connector_app.state.sessionmaker
    with registry.override("sandbox", CountingGateway(fail=frozenset({"capture"}))):
        await _capture_one(sessionmaker, connector_settings)
    later = utc_now() + timedelta(hours=2)
    assert await _capture_one(sessionmaker, connector_settings, now=later) == S.CAPTURED
    assert await _status(db_session, charge) == S.CAPTURED


@pytest.mark.asyncio
async def test_unimplemented_provider_is_retried_not_crashed(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session, payment_provider="stripe")
    charge = await create_charge(db_session, account, status=S.CAPTURE_APPROVED)
    assert (
        await _capture_one(connector_app.state.sessionmaker, connector_settings) == S.CAPTURE_APPROVED_RETRY
    )
    assert await _status(db_session, charge) == S.CAPTURE_APPROVED_RETRY


@pytest.mark.asyncio
async def test_concurrent_workers_capture_a_charge_once(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    charges = [await create_charge(db_session, account, status=S.CAPTURE_APPROVED) for _ in range(3)]
    counting = CountingGateway(delay=0.05)
    with registry.override("sandbox", counting):
        await asyncio.gather(
            *(capture_due(connector_app.state.sessionmaker, connector_settings) for _ in range(6))
        )
    assert counting.calls["capture"] == 3
    assert sorted(counting.idempotency_keys) == sorted(f"connector:capture:{c.external_id}" for c in charges)
    for charge in charges:
        assert await _status(db_session, charge) == S.CAPTURED
        assert (await _events(db_session, charge)).count("CAPTURE READY") == 1


@pytest.mark.asyncio
async def test_double_capture_requests_capture_once(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AUTHORISATION_SUCCESS)
    frontend = f"/v1/frontend/charges/{charge.external_id}/capture"
    codes = sorted(
        r.status_code for r in await asyncio.gather(*(connector_client.post(frontend) for _ in range(4)))
    )
    assert codes == [204, 400, 400, 400]
    counting = CountingGateway(delay=0.05)
    with registry.override("sandbox", counting):
        await asyncio.gather(
            *(_capture_one(connector_app.state.sessionmaker, connector_settings) for _ in range(3))
        )
    assert counting.calls["capture"] == 1
    assert await _status(db_session, charge) == S.CAPTURED


@pytest.mark.asyncio
async def test_crash_after_capture_intent_is_recovered_with_the_same_idempotency_key(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.CAPTURE_APPROVED)
    sessionmaker = connector_app.state.sessionmaker
    crashing = CountingGateway(crash=frozenset({"capture"}))
    with registry.override("sandbox", crashing), pytest.raises(SimulatedCrash):
        await _capture_one(sessionmaker, connector_settings)
    assert await _status(db_session, charge) == S.CAPTURE_READY  # intent committed, result never recorded
    # A fresh CAPTURE READY may still be in flight elsewhere: left alone.
    assert await _capture_one(sessionmaker, connector_settings) is None
    later = utc_now() + timedelta(seconds=connector_settings.stale_intent_after_seconds + 1)
    recovering = CountingGateway()
    with registry.override("sandbox", recovering):
        assert await _capture_one(sessionmaker, connector_settings, now=later) == S.CAPTURED
    assert (
        crashing.idempotency_keys
        == recovering.idempotency_keys
        == [f"connector:capture:{charge.external_id}"]
    )
    assert (await _events(db_session, charge))[1:] == [
        "CAPTURE READY",
        "CAPTURE APPROVED RETRY",
        "CAPTURE READY",
        "CAPTURE SUBMITTED",
        "CAPTURED",
    ]


# --- delayed capture API ---------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("start", "code", "after"),
    [
        (S.AWAITING_CAPTURE_REQUEST, 204, S.CAPTURE_APPROVED),
        (S.CAPTURE_APPROVED, 204, S.CAPTURE_APPROVED),
        (S.CAPTURE_APPROVED_RETRY, 204, S.CAPTURE_APPROVED_RETRY),
        (S.CAPTURE_READY, 204, S.CAPTURE_READY),
        (S.CAPTURE_SUBMITTED, 204, S.CAPTURE_SUBMITTED),
        (S.CAPTURED, 204, S.CAPTURED),
        (S.AUTHORISATION_SUCCESS, 409, S.AUTHORISATION_SUCCESS),
        (S.CREATED, 409, S.CREATED),
        (S.EXPIRED, 409, S.EXPIRED),
    ],
)
async def test_delayed_capture_api(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    start: ChargeStatus,
    code: int,
    after: ChargeStatus,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=start, delayed_capture=True)
    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/capture"
    )
    assert response.status_code == code
    if code == 409:
        assert response.json()["message"] == [
            f"Operation for charge conflicting, {charge.external_id}, attempt to perform delayed capture on "
            "charge not in AWAITING CAPTURE REQUEST state."
        ]
    assert await _status(db_session, charge) == after


@pytest.mark.asyncio
async def test_delayed_capture_unknown_charge_or_other_account_is_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    other = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AWAITING_CAPTURE_REQUEST)
    for path in (
        f"/v1/api/accounts/{other.id}/charges/{charge.external_id}/capture",
        f"/v1/api/accounts/{account.id}/charges/abc/capture",
        f"/v1/api/accounts/not-a-number/charges/{charge.external_id}/capture",
    ):
        response = await connector_client.post(path)
        assert response.status_code == 404
        assert response.json()["message"][0].startswith("Charge with id [")
    assert await _status(db_session, charge) == S.AWAITING_CAPTURE_REQUEST
