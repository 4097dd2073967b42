"""POST /v1/api/accounts/{accountId}/charges/{chargeId}/cancel (connector.md §9.1, seeds)."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways import registry
from connector.models import Charge, ChargeEvent, GatewayAccount
from tests.connector.gateways.fakes import CountingGateway
from tests.factories import create_account, create_charge

S = ChargeStatus


def _url(account: GatewayAccount, charge_id: str) -> str:
    return f"/v1/api/accounts/{account.id}/charges/{charge_id}/cancel"


async def _status(session: AsyncSession, charge: Charge) -> str:
    await session.refresh(charge)
    return charge.status


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("start", "gateway_calls", "events_after"),
    [
        (S.CREATED, 0, ["SYSTEM CANCELLED"]),
        (S.ENTERING_CARD_DETAILS, 0, ["SYSTEM CANCELLED"]),
        (S.AUTHORISATION_3DS_REQUIRED, 0, ["SYSTEM CANCELLED"]),
        (S.AUTHORISATION_SUCCESS, 1, ["SYSTEM CANCEL READY", "SYSTEM CANCELLED"]),
        (S.AWAITING_CAPTURE_REQUEST, 1, ["SYSTEM CANCEL READY", "SYSTEM CANCELLED"]),
    ],
)
async def test_service_cancel(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    start: ChargeStatus,
    gateway_calls: int,
    events_after: list[str],
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=start)
    counting = CountingGateway()
    with registry.override("sandbox", counting):
        response = await connector_client.post(_url(account, charge.external_id))
    assert response.status_code == 204
    assert response.content == b""
    assert counting.calls["cancel"] == gateway_calls
    assert await _status(db_session, charge) == S.SYSTEM_CANCELLED
    events = (
        await db_session.scalars(
            select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id).order_by(ChargeEvent.id)
        )
    ).all()
    assert list(events[1:]) == events_after


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "status", [S.AUTHORISATION_REJECTED, S.CAPTURED, S.SYSTEM_CANCELLED, S.EXPIRED, S.CAPTURE_APPROVED]
)
async def test_cancelling_a_finished_charge_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, status: ChargeStatus
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=status)
    response = await connector_client.post(_url(account, charge.external_id))
    assert response.status_code == 400
    assert response.json()["message"] == [f"Cannot cancel a charge with status {status.value}."]
    assert await _status(db_session, charge) == status


@pytest.mark.asyncio
async def test_unknown_charge_or_other_account_is_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    other = await create_account(db_session)
    charge = await create_charge(db_session, account)
    for path in (
        _url(other, charge.external_id),
        f"/v1/api/accounts/abc/charges/{charge.external_id}/cancel",
    ):
        response = await connector_client.post(path)
        assert response.status_code == 404
        assert response.json()["message"] == [f"Charge with id [{charge.external_id}] not found."]
    missing = await connector_client.post(_url(account, "123456"))
    assert missing.json()["message"] == ["Charge with id [123456] not found."]
    assert await _status(db_session, charge) == S.CREATED


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [S.SYSTEM_CANCEL_READY, S.SYSTEM_CANCEL_SUBMITTED])
async def test_cancel_already_in_progress_is_202(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, status: ChargeStatus
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=status)
    response = await connector_client.post(_url(account, charge.external_id))
    assert response.status_code == 202
    assert response.json()["message"] == [
        f"System Cancellation for charge already in progress, {charge.external_id}"
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [S.AUTHORISATION_READY, S.AUTHORISATION_3DS_READY])
async def test_cancel_during_authorisation_lock_is_409_not_500(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, status: ChargeStatus
) -> None:
    # 3DS READY too: ending the charge while the gateway authorises would leave that money held.
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=status)
    response = await connector_client.post(_url(account, charge.external_id))
    assert response.status_code == 409
    assert await _status(db_session, charge) == status


@pytest.mark.asyncio
async def test_gateway_failure_ends_in_system_cancel_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AUTHORISATION_SUCCESS)
    with registry.override("sandbox", CountingGateway(fail=frozenset({"cancel"}))):
        assert (await connector_client.post(_url(account, charge.external_id))).status_code == 204
    assert await _status(db_session, charge) == S.SYSTEM_CANCEL_ERROR


@pytest.mark.asyncio
async def test_concurrent_cancels_call_the_gateway_once(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AUTHORISATION_SUCCESS)
    counting = CountingGateway(delay=0.1)
    with registry.override("sandbox", counting):
        responses = await asyncio.gather(
            *(connector_client.post(_url(account, charge.external_id)) for _ in range(3))
        )
    assert [r.status_code for r in responses].count(204) == 1
    assert {r.status_code for r in responses} <= {202, 204, 400}
    assert counting.calls["cancel"] == 1
    assert await _status(db_session, charge) == S.SYSTEM_CANCELLED


@pytest.mark.asyncio
async def test_cancel_and_capture_by_service_id_and_account_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="svc123")
    to_cancel = await create_charge(db_session, account)
    to_capture = await create_charge(
        db_session, account, status=S.AWAITING_CAPTURE_REQUEST, delayed_capture=True
    )
    base = "/v1/api/service/svc123/account/test/charges"
    assert (await connector_client.post(f"{base}/{to_cancel.external_id}/cancel")).status_code == 204
    assert (await connector_client.post(f"{base}/{to_capture.external_id}/capture")).status_code == 204
    assert await _status(db_session, to_cancel) == S.SYSTEM_CANCELLED
    assert await _status(db_session, to_capture) == S.CAPTURE_APPROVED
    assert (await connector_client.post(f"{base}/nope/cancel")).status_code == 404
    other = "/v1/api/service/other/account/test/charges"
    assert (await connector_client.post(f"{other}/{to_cancel.external_id}/cancel")).status_code == 404
    assert (await connector_client.post(f"{other}/{to_capture.external_id}/capture")).status_code == 404
    wrong_type = await connector_client.post(
        f"/v1/api/service/svc123/account/gold/charges/{to_cancel.external_id}/cancel"
    )
    assert wrong_type.status_code == 400
