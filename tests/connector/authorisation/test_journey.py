"""The payment pages' journey over HTTP: start → email → cards (→ 3DS) → confirm → captured, or cancel."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import capture_due
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.models import Charge, ChargeEvent
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.fakes import CountingGateway
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


def _url(charge: Charge, suffix: str = "") -> str:
    return f"/v1/frontend/charges/{charge.external_id}{suffix}"


# --- PUT /status ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_status_moves_created_to_entering_card_details(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    body = {"new_status": "ENTERING CARD DETAILS"}
    assert (await connector_client.put(_url(charge, "/status"), json=body)).status_code == 204
    assert await _status(db_session, charge) == S.ENTERING_CARD_DETAILS
    # A reload of the card page repeats the call: still 204, no second event.
    assert (await connector_client.put(_url(charge, "/status"), json=body)).status_code == 204
    assert (await _events(db_session, charge)).count(S.ENTERING_CARD_DETAILS.value) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "body", [{"new_status": "AUTHORISATION SUCCESS"}, {"new_status": ""}, {}, {"new_status": 5}]
)
async def test_status_other_than_entering_card_details_is_422(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, body: dict[str, object]
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    response = await connector_client.put(_url(charge, "/status"), json=body)
    assert response.status_code == 422
    assert response.json()["message"] == ["invalid new status"]


@pytest.mark.asyncio
async def test_status_on_unknown_or_advanced_charge_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.AUTHORISATION_SUCCESS)
    body = {"new_status": "ENTERING CARD DETAILS"}
    response = await connector_client.put(_url(charge, "/status"), json=body)
    assert response.status_code == 400
    assert response.json()["message"] == [
        f"charge with id: {charge.external_id} cannot be updated to the new status: ENTERING CARD DETAILS"
    ]
    response = await connector_client.put("/v1/frontend/charges/unknown/status", json=body)
    assert response.status_code == 400
    bad_json = await connector_client.put(
        _url(charge, "/status"), content=b"{", headers={"content-type": "application/json"}
    )
    assert bad_json.status_code == 400


# --- PATCH email ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_patch_email(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    body = {"op": "replace", "path": "email", "value": "payer@example.org"}
    response = await connector_client.patch(_url(charge), json=body)
    assert response.status_code == 200
    assert response.json()["email"] == "payer@example.org"
    assert response.json()["status"] == "CREATED"
    await db_session.refresh(charge)
    assert charge.email == "payer@example.org"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "prefix"),
    [
        ({"op": "add", "path": "email", "value": "a@b.c"}, "Bad patch parameters{"),
        ({"op": "replace", "path": "reference", "value": "x"}, "Bad patch parameters{"),
        ({"op": "replace", "path": "email", "value": 12}, "Bad patch parameters{"),
        ({"op": "replace", "path": "email", "value": "a" * 250 + "@b.cd"}, "Invalid patch parameters{"),
    ],
)
async def test_patch_email_bad_parameters_are_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, body: dict[str, object], prefix: str
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    response = await connector_client.patch(_url(charge), json=body)
    assert response.status_code == 400
    assert response.json()["message"][0].startswith(prefix)
    await db_session.refresh(charge)
    assert charge.email is None


@pytest.mark.asyncio
async def test_patch_email_unknown_charge_is_404(connector_client: httpx.AsyncClient) -> None:
    body = {"op": "replace", "path": "email", "value": "a@b.c"}
    assert (await connector_client.patch("/v1/frontend/charges/nope", json=body)).status_code == 404


# --- full journeys -------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_journey_created_to_captured(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session))
    counting = CountingGateway()
    with registry.override("sandbox", counting):
        assert (
            await connector_client.put(_url(charge, "/status"), json={"new_status": "ENTERING CARD DETAILS"})
        ).status_code == 204
        assert (await connector_client.post(_url(charge, "/cards"), json=card_body())).json() == {
            "status": "AUTHORISATION SUCCESS"
        }
        assert (await connector_client.post(_url(charge, "/capture"))).status_code == 204
        assert await _status(db_session, charge) == S.CAPTURE_APPROVED
        assert await capture_due(connector_app.state.sessionmaker, connector_settings) == 1
    assert await _status(db_session, charge) == S.CAPTURED
    assert await _events(db_session, charge) == [
        "CREATED",
        "ENTERING CARD DETAILS",
        "AUTHORISATION READY",
        "AUTHORISATION SUCCESS",
        "CAPTURE APPROVED",
        "CAPTURE READY",
        "CAPTURE SUBMITTED",
        "CAPTURED",
    ]
    assert counting.calls == {"authorise": 1, "capture": 1}
    assert counting.idempotency_keys == [f"connector:capture:{charge.external_id}"]


@pytest.mark.asyncio
async def test_journey_delayed_capture_then_api_capture(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS, delayed_capture=True)
    assert (await connector_client.post(_url(charge, "/cards"), json=card_body())).status_code == 200
    assert (await connector_client.post(_url(charge, "/capture"))).status_code == 204
    assert await _status(db_session, charge) == S.AWAITING_CAPTURE_REQUEST
    assert await capture_due(connector_app.state.sessionmaker, connector_settings) == 0  # not yet approved
    api = f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/capture"
    assert (await connector_client.post(api)).status_code == 204
    assert await _status(db_session, charge) == S.CAPTURE_APPROVED
    assert await capture_due(connector_app.state.sessionmaker, connector_settings) == 1
    assert await _status(db_session, charge) == S.CAPTURED
    assert (await connector_client.post(api)).status_code == 204  # already captured: nothing happens


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("pa_response", "code", "status"),
    [
        ("success", 200, S.AUTHORISATION_SUCCESS),
        ("failure", 400, S.AUTHORISATION_REJECTED),
        (None, 400, S.AUTHORISATION_REJECTED),
    ],
)
async def test_journey_3ds(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    pa_response: str | None,
    code: int,
    status: ChargeStatus,
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.ENTERING_CARD_DETAILS)
    response = await connector_client.post(_url(charge, "/cards"), json=card_body("4000000000003220"))
    assert response.json() == {"status": "AUTHORISATION 3DS REQUIRED"}
    body = {"pa_response": pa_response, "md": "md", "three_ds_version": "2.1.0"}
    response = await connector_client.post(_url(charge, "/3ds"), json=body)
    assert response.status_code == code
    assert response.json() == {"status": status.value}
    assert await _status(db_session, charge) == status
    assert (await _events(db_session, charge))[-3:] == [
        "AUTHORISATION 3DS REQUIRED",
        "AUTHORISATION 3DS READY",
        status.value,
    ]
    assert charge.version_3ds == "2.1.0"
    again = await connector_client.post(_url(charge, "/3ds"), json=body)
    assert again.status_code == 400


@pytest.mark.asyncio
async def test_3ds_refusals(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await create_account(db_session)
    ready = await create_charge(db_session, account, status=S.AUTHORISATION_3DS_READY)
    assert (
        await connector_client.post(_url(ready, "/3ds"), json={"pa_response": "success"})
    ).status_code == 202
    assert (await connector_client.post("/v1/frontend/charges/nope/3ds", json={})).status_code == 404
    required = await create_charge(db_session, account, status=S.AUTHORISATION_3DS_REQUIRED)
    bad = await connector_client.post(_url(required, "/3ds"), json={"pa_response": 42})
    assert bad.status_code == 400
    assert await _status(db_session, required) == S.AUTHORISATION_3DS_REQUIRED


@pytest.mark.asyncio
async def test_3ds_gateway_failure_is_402_and_authorisation_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(
        db_session, await create_account(db_session), status=S.AUTHORISATION_3DS_REQUIRED
    )
    with registry.override("sandbox", CountingGateway(fail=frozenset({"authorise_3ds"}))):
        response = await connector_client.post(_url(charge, "/3ds"), json={"pa_response": "success"})
    assert response.status_code == 402
    assert response.json()["message"] == ["There was an error when attempting to authorise the transaction."]
    assert await _status(db_session, charge) == S.AUTHORISATION_ERROR


# --- frontend capture ------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, S.CAPTURE_APPROVED),
        ({"delayed_capture": True}, S.AWAITING_CAPTURE_REQUEST),
        ({"authorisation_mode": "MOTO_API"}, S.CAPTURE_QUEUED),
    ],
)
async def test_frontend_capture_by_mode(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    fields: dict[str, Any],
    expected: ChargeStatus,
) -> None:
    charge = await create_charge(
        db_session, await create_account(db_session), status=S.AUTHORISATION_SUCCESS, **fields
    )
    assert (await connector_client.post(_url(charge, "/capture"))).status_code == 204
    assert await _status(db_session, charge) == expected


@pytest.mark.asyncio
async def test_frontend_capture_refusals(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(
        db_session, await create_account(db_session), status=S.AUTHORISATION_REJECTED
    )
    response = await connector_client.post(_url(charge, "/capture"))
    assert response.status_code == 400
    assert response.json()["message"] == ["Cannot capture a charge with status AUTHORISATION REJECTED."]
    assert (await connector_client.post("/v1/frontend/charges/nope/capture")).status_code == 404


# --- user cancel -----------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("start", "gateway_calls", "events_after"),
    [
        (S.CREATED, 0, ["USER CANCELLED"]),
        (S.ENTERING_CARD_DETAILS, 0, ["USER CANCELLED"]),
        (S.AUTHORISATION_3DS_REQUIRED, 0, ["USER CANCELLED"]),
        (S.AUTHORISATION_SUCCESS, 1, ["USER CANCEL READY", "USER CANCELLED"]),
        # AUTHORISATION READY / 3DS READY: tests/connector/cancel/test_cancel_during_authorisation.py
    ],
)
async def test_user_cancel(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    start: ChargeStatus,
    gateway_calls: int,
    events_after: list[str],
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=start)
    counting = CountingGateway()
    with registry.override("sandbox", counting):
        assert (await connector_client.post(_url(charge, "/cancel"))).status_code == 204
    assert counting.calls["cancel"] == gateway_calls
    assert await _status(db_session, charge) == S.USER_CANCELLED
    assert (await _events(db_session, charge))[1:] == events_after


@pytest.mark.asyncio
async def test_user_cancel_refusals(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await create_account(db_session)
    in_progress = await create_charge(db_session, account, status=S.USER_CANCEL_READY)
    response = await connector_client.post(_url(in_progress, "/cancel"))
    assert response.status_code == 202
    assert response.json()["message"] == [
        f"User Cancellation for charge already in progress, {in_progress.external_id}"
    ]
    for status in (S.CAPTURED, S.AWAITING_CAPTURE_REQUEST, S.USER_CANCELLED):
        charge = await create_charge(db_session, account, status=status)
        response = await connector_client.post(_url(charge, "/cancel"))
        assert response.status_code == 400
        assert response.json()["message"] == [
            f"Charge not in correct state to be processed, {charge.external_id}"
        ]
    missing = await connector_client.post("/v1/frontend/charges/nope/cancel")
    assert missing.status_code == 404
    assert missing.json()["message"] == ["Charge with id [nope] not found."]


@pytest.mark.asyncio
async def test_user_cancel_gateway_failure_ends_in_user_cancel_error(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.AUTHORISATION_SUCCESS)
    with registry.override("sandbox", CountingGateway(fail=frozenset({"cancel"}))):
        assert (await connector_client.post(_url(charge, "/cancel"))).status_code == 204
    assert await _status(db_session, charge) == S.USER_CANCEL_ERROR


@pytest.mark.asyncio
async def test_journey_from_api_creation_to_captured_as_the_service_sees_it(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    account = await create_account(db_session)
    created = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges",
        json={
            "amount": 2599,
            "description": "Pay your council tax",
            "reference": "CT-1",
            "return_url": "https://service.example/done",
        },
    )
    assert created.status_code == 201, created.text
    charge_id = created.json()["charge_id"]
    api_url = f"/v1/api/accounts/{account.id}/charges/{charge_id}"
    frontend = f"/v1/frontend/charges/{charge_id}"
    start = await connector_client.put(f"{frontend}/status", json={"new_status": "ENTERING CARD DETAILS"})
    assert start.status_code == 204
    assert (await connector_client.get(api_url)).json()["state"] == {"status": "started", "finished": False}
    authorised = await connector_client.post(f"{frontend}/cards", json=card_body())
    assert authorised.json() == {"status": "AUTHORISATION SUCCESS"}
    assert (await connector_client.get(api_url)).json()["state"]["status"] == "submitted"
    assert (await connector_client.post(f"{frontend}/capture")).status_code == 204
    assert (await connector_client.get(api_url)).json()["state"] == {"status": "success", "finished": True}
    assert await capture_due(connector_app.state.sessionmaker, connector_settings) == 1
    view = (await connector_client.get(api_url)).json()
    assert view["state"] == {"status": "success", "finished": True}
    assert view["card_details"]["last_digits_card_number"] == "4242"
    assert view["card_details"]["first_digits_card_number"] == "424242"
    assert (await connector_client.get(frontend)).json()["status"] == "CAPTURED"
