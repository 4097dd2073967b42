"""``POST /v1/api/notifications/sandbox`` (seeds 000/001): a sandbox charge driven by a notification."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from tests.factories import create_account, create_charge

S = ChargeStatus
pytestmark = pytest.mark.asyncio
NOTIFY = "/v1/api/notifications/sandbox"


async def test_the_seed_example_moves_the_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await create_charge(
        db_session,
        await create_account(db_session),
        status=S.AUTHORISATION_READY,
        gateway_transaction_id="transaction-id-1",
    )
    body = {"transaction_id": "transaction-id-1", "status": "AUTHORISATION SUCCESS"}
    response = await connector_client.post(NOTIFY, json=body)
    assert response.status_code == 200
    assert response.text == "OK"
    assert response.headers["content-type"].startswith("text/plain")
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_SUCCESS
    # Again: already there, nothing changes.
    assert (await connector_client.post(NOTIFY, json=body)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"transaction_id": "transaction-id-1", "status": "CAPTURED"},  # not an edge from AUTHORISATION READY
        {"transaction_id": "transaction-id-1", "status": "NOT A STATUS"},
        {"transaction_id": "unknown", "status": "AUTHORISATION SUCCESS"},
    ],
)
async def test_moves_the_graph_refuses_are_acknowledged_and_ignored(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, body: dict[str, str]
) -> None:
    charge = await create_charge(
        db_session,
        await create_account(db_session),
        status=S.AUTHORISATION_READY,
        gateway_transaction_id="transaction-id-1",
    )
    assert (await connector_client.post(NOTIFY, json=body)).status_code == 200
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_READY


@pytest.mark.parametrize(
    "content", [b"not json", b"[]", b'{"status": "CAPTURED"}', b'{"transaction_id": 5, "status": "x"}']
)
async def test_bad_bodies_are_400(connector_client: httpx.AsyncClient, content: bytes) -> None:
    response = await connector_client.post(
        NOTIFY, content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400


async def test_token_and_cidrs_when_configured(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    charge = await create_charge(
        db_session,
        await create_account(db_session),
        status=S.AUTHORISATION_READY,
        gateway_transaction_id="tx-2",
    )
    settings = connector_app.state.settings
    monkeypatch.setattr(settings, "sandbox_auth_token", SecretStr("let-me-in"))
    monkeypatch.setattr(settings, "sandbox_allowed_cidrs", ["10.1.0.0/16"])
    body = {"transaction_id": "tx-2", "status": "AUTHORISATION SUCCESS"}
    for headers in ({}, {"Authorization": "wrong"}, {"X-Forwarded-For": "10.1.2.3, 192.0.2.1"}):
        response = await connector_client.post(NOTIFY, json=body, headers=headers)
        assert response.status_code == 403
        assert response.content == b""
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_READY
    assert (
        await connector_client.post(NOTIFY, json=body, headers={"X-Forwarded-For": "192.0.2.1, 10.1.2.3"})
    ).status_code == 200
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_SUCCESS
    body["status"] = "CAPTURE APPROVED"
    assert (
        await connector_client.post(NOTIFY, json=body, headers={"Authorization": "let-me-in"})
    ).status_code == 200
    await db_session.refresh(charge)
    assert charge.status == S.CAPTURE_APPROVED
