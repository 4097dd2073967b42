"""POST /v1/tasks/expired-charges-sweep: windows, each expirable status, housekeeping, crash recovery."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.authorisation.schemas import CardAuthorisationRequest
from connector.authorisation.service import authorise
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.expiry.service import sweep
from connector.gateways import registry
from connector.models import Charge, ChargeEvent, Token
from pay_common.db.base import utc_now
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.fakes import CountingGateway, SimulatedCrash
from tests.factories import create_account, create_charge

S = ChargeStatus
SWEEP = "/v1/tasks/expired-charges-sweep"


async def _status(session: AsyncSession, charge: Charge) -> str:
    await session.refresh(charge)
    return charge.status


async def _events(session: AsyncSession, charge: Charge) -> list[str]:
    rows = await session.scalars(
        select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id).order_by(ChargeEvent.id)
    )
    return list(rows.all())


def _ago(seconds: float) -> datetime:
    return utc_now() - timedelta(seconds=seconds)


@pytest.mark.asyncio
async def test_nothing_to_expire(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.post(SWEEP)
    assert response.status_code == 200
    assert response.json() == {"expiry-success": 0, "expiry-failed": 0}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("start", "gateway_calls", "events_after"),
    [
        (S.CREATED, 0, ["EXPIRED"]),
        (S.ENTERING_CARD_DETAILS, 0, ["EXPIRED"]),
        # The outcome of an authorisation in progress is unknown: the gateway is asked, and what it
        # may hold is voided (the sandbox never saw these charges, so there was nothing to void).
        (S.AUTHORISATION_READY, 1, ["EXPIRED"]),
        (S.AUTHORISATION_3DS_REQUIRED, 0, ["EXPIRED"]),
        (S.AUTHORISATION_3DS_READY, 1, ["EXPIRED"]),
        (S.AUTHORISATION_SUCCESS, 1, ["EXPIRE CANCEL READY", "EXPIRED"]),
    ],
)
async def test_each_regular_status_expires_after_90_minutes(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    start: ChargeStatus,
    gateway_calls: int,
    events_after: list[str],
) -> None:
    account = await create_account(db_session)
    old = await create_charge(db_session, account, status=start, created_date=_ago(91 * 60))
    young = await create_charge(db_session, account, status=start, created_date=_ago(89 * 60))
    counting = CountingGateway()
    with registry.override("sandbox", counting):
        response = await connector_client.post(SWEEP)
    assert response.json() == {"expiry-success": 1, "expiry-failed": 0}
    assert counting.calls["cancel"] == gateway_calls
    assert await _status(db_session, old) == S.EXPIRED
    assert (await _events(db_session, old))[1:] == events_after
    assert await _status(db_session, young) == start


@pytest.mark.asyncio
async def test_awaiting_capture_request_expires_after_120_hours(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    old = await create_charge(
        db_session,
        account,
        status=S.AWAITING_CAPTURE_REQUEST,
        created_date=_ago(121 * 3600),
        updated_date=utc_now(),
    )
    young = await create_charge(
        db_session, account, status=S.AWAITING_CAPTURE_REQUEST, created_date=_ago(119 * 3600)
    )
    assert (await connector_client.post(SWEEP)).json() == {"expiry-success": 1, "expiry-failed": 0}
    assert await _status(db_session, old) == S.EXPIRED
    assert (await _events(db_session, old))[1:] == ["EXPIRE CANCEL READY", "EXPIRED"]
    assert await _status(db_session, young) == S.AWAITING_CAPTURE_REQUEST


@pytest.mark.asyncio
async def test_recently_updated_and_unexpirable_charges_are_left_alone(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    active = await create_charge(
        db_session,
        account,
        status=S.ENTERING_CARD_DETAILS,
        created_date=_ago(2 * 3600),
        updated_date=_ago(60),
    )
    finished = [
        await create_charge(db_session, account, status=status, created_date=_ago(200 * 3600))
        for status in (
            S.CAPTURED,
            S.CAPTURE_APPROVED,
            S.AUTHORISATION_REJECTED,
            S.USER_CANCELLED,
            S.AUTHORISATION_USER_NOT_PRESENT_QUEUED,
        )
    ]
    assert (await connector_client.post(SWEEP)).json() == {"expiry-success": 0, "expiry-failed": 0}
    assert await _status(db_session, active) == S.ENTERING_CARD_DETAILS
    for charge in finished:
        assert await _status(db_session, charge) != S.EXPIRED


@pytest.mark.asyncio
async def test_gateway_cancel_failure_counts_as_failed(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(
        db_session, account, status=S.AUTHORISATION_SUCCESS, created_date=_ago(3 * 3600)
    )
    await create_charge(db_session, account, status=S.CREATED, created_date=_ago(3 * 3600))
    with registry.override("sandbox", CountingGateway(fail=frozenset({"cancel"}))):
        assert (await connector_client.post(SWEEP)).json() == {"expiry-success": 1, "expiry-failed": 1}
    assert await _status(db_session, charge) == S.EXPIRE_CANCEL_FAILED


@pytest.mark.asyncio
async def test_windows_come_from_settings(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, created_date=_ago(120))
    settings = connector_settings.model_copy(
        update={"charge_expiry_window_seconds": 60, "skip_expiring_charges_last_updated_in_seconds": 0}
    )
    result = await sweep(connector_app.state.sessionmaker, settings)
    assert (result.success, result.failed) == (1, 0)
    assert await _status(db_session, charge) == S.EXPIRED


@pytest.mark.asyncio
async def test_sweep_deletes_old_tokens(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURED)
    db_session.add_all(
        [
            Token(
                charge_id=charge.id,
                secure_redirect_token="old-token",
                created_date=_ago(8 * 24 * 3600),
                used=True,
            ),
            Token(charge_id=charge.id, secure_redirect_token="new-token", created_date=_ago(3600)),
        ]
    )
    await db_session.commit()
    assert (await connector_client.post(SWEEP)).status_code == 200
    remaining = (await db_session.scalars(select(Token.secure_redirect_token))).all()
    assert remaining == ["new-token"]


# --- crash recovery ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_crash_during_authorisation_is_expired_by_the_sweep(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(
        db_session, account, status=S.ENTERING_CARD_DETAILS, created_date=_ago(2 * 3600)
    )
    card = CardAuthorisationRequest.model_validate(card_body())
    with (
        registry.override("sandbox", CountingGateway(crash=frozenset({"authorise"}))),
        pytest.raises(SimulatedCrash),
    ):
        await authorise(connector_app.state.sessionmaker, connector_settings, charge.external_id, card)
    assert await _status(db_session, charge) == S.AUTHORISATION_READY  # intent committed, no result
    # The payer's retry is told the authorisation is in progress, never a second gateway call.
    retry = await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body())
    assert retry.status_code == 202
    # While the lock is fresh the sweep leaves it alone (the gateway might still answer)...
    assert (await connector_client.post(SWEEP)).json() == {"expiry-success": 0, "expiry-failed": 0}
    # ...once it is older than the last-updated guard, the sweep expires it.
    later = utc_now() + timedelta(
        seconds=connector_settings.skip_expiring_charges_last_updated_in_seconds + 1
    )
    result = await sweep(connector_app.state.sessionmaker, connector_settings, now=later)
    assert (result.success, result.failed) == (1, 0)
    assert await _status(db_session, charge) == S.EXPIRED
    assert charge.last_digits_card_number is None


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("lock", "final"),
    [
        (S.USER_CANCEL_READY, S.USER_CANCELLED),
        (S.SYSTEM_CANCEL_READY, S.SYSTEM_CANCELLED),
        (S.EXPIRE_CANCEL_READY, S.EXPIRED),
    ],
)
async def test_crash_during_cancel_is_finished_by_the_sweep(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
    lock: ChargeStatus,
    final: ChargeStatus,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AUTHORISATION_SUCCESS)
    url = {
        S.USER_CANCEL_READY: f"/v1/frontend/charges/{charge.external_id}/cancel",
        S.SYSTEM_CANCEL_READY: f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/cancel",
    }.get(lock)
    crashing = CountingGateway(crash=frozenset({"cancel"}))
    with registry.override("sandbox", crashing):
        if url is None:  # expiry: the sweep itself crashes mid-cancel
            old = utc_now() + timedelta(hours=2)
            with pytest.raises(SimulatedCrash):
                await sweep(connector_app.state.sessionmaker, connector_settings, now=old)
        else:
            with pytest.raises(SimulatedCrash):
                await connector_client.post(url)
    assert await _status(db_session, charge) == lock
    later = utc_now() + timedelta(hours=3)
    recovering = CountingGateway()
    with registry.override("sandbox", recovering):
        await sweep(connector_app.state.sessionmaker, connector_settings, now=later)
    assert recovering.calls["cancel"] == 1
    assert await _status(db_session, charge) == final
    count = await db_session.scalar(
        select(func.count()).select_from(ChargeEvent).where(ChargeEvent.charge_id == charge.id)
    )
    assert count == 3  # AUTHORISATION SUCCESS, the lock, the final status
