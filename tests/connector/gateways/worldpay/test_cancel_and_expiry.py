"""Cancel and expiry of Worldpay charges awaiting 3DS or authorised: Worldpay is asked first.

connector.md §9.1/§9.2: an order inquiry tells what Worldpay holds. An open order (awaiting the
payer's 3DS answer, or authorised) is cancelled at Worldpay before the charge ends; an order
Worldpay already ended (refused, captured) moves the charge to match, with no cancel sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.expiry.service import sweep
from connector.gateways import registry
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Charge, ChargeEvent
from pay_common.db.base import utc_now
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.worldpay.conftest import (
    stub_order,
    unreachable_worldpay,
    worldpay_account,
    worldpay_charge,
)
from tests.stubs import worldpay as stub

S = ChargeStatus
pytestmark = pytest.mark.asyncio


@dataclass(frozen=True)
class Env:
    """The connector (app, client, test session) on the Worldpay stub (and its control client)."""

    app: FastAPI
    client: httpx.AsyncClient
    session: AsyncSession
    stub: httpx.AsyncClient


@pytest_asyncio.fixture
async def env(
    connector_app: FastAPI,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> Env:
    return Env(connector_app, connector_client, db_session, stub_client)


async def _charge_in(env: Env, number: str, expected: S) -> Charge:
    charge = await worldpay_charge(env.session, await worldpay_account(env.session, requires_3ds=True))
    response = await env.client.post(
        f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body(number)
    )
    assert response.json() == {"status": expected.value}
    await env.session.refresh(charge)
    return charge


async def _three_ds_charge(env: Env) -> Charge:
    return await _charge_in(env, stub.THREE_DS2_CARD, S.AUTHORISATION_3DS_REQUIRED)


async def _authorised_charge(env: Env) -> Charge:
    return await _charge_in(env, "4444333322221111", S.AUTHORISATION_SUCCESS)


async def _expire(env: Env) -> dict[str, int]:
    """The sweep as it runs two hours from now, when every charge above is past its window."""
    later = utc_now() + timedelta(hours=2)
    return (await sweep(env.app.state.sessionmaker, env.app.state.settings, now=later)).as_json()


async def _history(env: Env, charge: Charge) -> list[tuple[str, str | None]]:
    rows = await env.session.execute(
        select(ChargeEvent.status, ChargeEvent.event_name)
        .where(ChargeEvent.charge_id == charge.id)
        .order_by(ChargeEvent.id)
    )
    return [(status, event) for status, event in rows.all()]


async def _order(env: Env, charge: Charge) -> dict[str, Any]:
    return await stub_order(env.stub, charge.gateway_transaction_id or "")


async def _worldpay_moves(env: Env, charge: Charge, last_event: str) -> None:
    response = await env.stub.put(
        f"/_stub/orders/{charge.gateway_transaction_id}", json={"last_event": last_event}
    )
    assert response.status_code == 200


async def test_expiry_during_3ds_cancels_the_open_order_at_worldpay(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env)
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == S.EXPIRED
    assert (await _history(env, charge))[-2:] == [
        ("EXPIRE CANCEL READY", None),
        ("EXPIRED", "CANCELLED_BY_EXPIRATION"),
    ]
    order = await _order(env, charge)
    assert order["inquiries"] == 1
    assert order["modifications"] == ["cancel"]
    assert order["last_event"] == "CANCELLED"


async def test_payer_cancel_during_3ds_cancels_the_order_at_worldpay(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env)
    response = await env.client.post(f"/v1/frontend/charges/{charge.external_id}/cancel")
    assert response.status_code == 204
    await env.session.refresh(charge)
    assert charge.status == S.USER_CANCELLED
    order = await _order(env, charge)
    assert (order["inquiries"], order["modifications"], order["last_event"]) == (1, ["cancel"], "CANCELLED")
    # The payer's 3DS answer arriving afterwards is refused: the charge is finished.
    late = await env.client.post(
        f"/v1/frontend/charges/{charge.external_id}/3ds", json={"pa_response": stub.PASS_3DS}
    )
    assert late.status_code == 400


async def test_service_cancel_during_3ds_cancels_the_order_at_worldpay(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env)
    response = await env.client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/cancel"
    )
    assert response.status_code == 204
    await env.session.refresh(charge)
    assert charge.status == S.SYSTEM_CANCELLED
    assert (await _order(env, charge))["last_event"] == "CANCELLED"


async def test_expiry_of_an_authorised_charge_asks_worldpay_then_cancels(
    env: Env,
) -> None:
    charge = await _authorised_charge(env)
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == S.EXPIRED
    order = await _order(env, charge)
    assert (order["inquiries"], order["modifications"], order["last_event"]) == (1, ["cancel"], "CANCELLED")


@pytest.mark.parametrize(
    ("worldpay_says", "final", "event"),
    [
        ("CAPTURED", S.CAPTURED, "STATUS_CORRECTED_TO_CAPTURED_TO_MATCH_GATEWAY_STATUS"),
        (
            "REFUSED",
            S.AUTHORISATION_REJECTED,
            "STATUS_CORRECTED_TO_AUTHORISATION_REJECTED_TO_MATCH_GATEWAY_STATUS",
        ),
        ("CANCELLED", S.EXPIRED, "CANCELLED_BY_EXPIRATION"),
    ],
)
async def test_expiry_follows_an_order_worldpay_already_ended(
    env: Env,
    worldpay_says: str,
    final: ChargeStatus,
    event: str,
) -> None:
    charge = await _authorised_charge(env)
    await _worldpay_moves(env, charge, worldpay_says)
    # Counted as a success, as upstream: the charge now says what Worldpay did.
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == final
    assert (await _history(env, charge))[-1] == (final.value, event)
    assert (await _order(env, charge))["modifications"] == []  # nothing to cancel there


async def test_expiry_during_3ds_of_an_order_worldpay_refused_rejects_the_charge(
    env: Env,
) -> None:
    charge = await _three_ds_charge(env)
    await _worldpay_moves(env, charge, "REFUSED")
    await _expire(env)
    await env.session.refresh(charge)
    assert charge.status == S.AUTHORISATION_REJECTED
    assert (await _order(env, charge))["modifications"] == []


async def test_expiry_during_3ds_of_an_order_worldpay_does_not_know_expires_it(
    env: Env,
) -> None:
    account = await worldpay_account(env.session)
    charge = await worldpay_charge(
        env.session, account, status=S.AUTHORISATION_3DS_REQUIRED, gateway_transaction_id="never-sent"
    )
    assert await _expire(env) == {"expiry-success": 1, "expiry-failed": 0}
    await env.session.refresh(charge)
    assert charge.status == S.EXPIRED


@pytest.mark.parametrize(
    ("start", "final", "failed"),
    [
        # Nothing is held while the payer is at the issuer: a failed inquiry ends it (upstream).
        ("3ds", S.EXPIRED, 0),
        # An authorisation holds money: without Worldpay the void cannot be sent, and says so.
        ("authorised", S.EXPIRE_CANCEL_FAILED, 1),
    ],
)
async def test_expiry_when_worldpay_cannot_be_reached(
    env: Env,
    closed_port: str,
    start: str,
    final: ChargeStatus,
    failed: int,
) -> None:
    if start == "3ds":
        charge = await _three_ds_charge(env)
    else:
        charge = await _authorised_charge(env)
    async with httpx.AsyncClient() as client:
        unreachable = unreachable_worldpay(client, closed_port)
        with registry.override("worldpay", unreachable):
            result = await _expire(env)
    assert result == {"expiry-success": 1 - failed, "expiry-failed": failed}
    await env.session.refresh(charge)
    assert charge.status == final
