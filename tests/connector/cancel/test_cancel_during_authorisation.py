"""A payer's cancel racing their own card authorisation (docs/decisions.md, "Cancel during
authorisation"): every charge ends either authorised and not cancelled, or cancelled with no
authorisation left at the gateway. The sandbox's ledger shows what the gateway holds."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.gateways.sandbox.adapter import SandboxGateway
from connector.gateways.sandbox.ledger import SandboxLedger, holdings
from connector.models import Charge, ChargeEvent
from connector.recovery.service import recover_intents
from pay_common.db.base import utc_now
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.fakes import GatedSandbox, SimulatedCrash
from tests.factories import create_account, create_charge

S = ChargeStatus
AUTHORISED_AND_KEPT = S.AUTHORISATION_SUCCESS
CANCELLED = S.USER_CANCELLED


def _url(charge: Charge, suffix: str) -> str:
    return f"/v1/frontend/charges/{charge.external_id}{suffix}"


async def _status(session: AsyncSession, charge: Charge) -> ChargeStatus:
    await session.refresh(charge)
    return S(charge.status)


async def _events(session: AsyncSession, charge: Charge) -> list[str]:
    rows = await session.scalars(
        select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id).order_by(ChargeEvent.id)
    )
    return list(rows.all())


async def _until(condition: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Wait for an in-process step of the race (not a timed assertion: the bound is a safety net)."""
    async with asyncio.timeout(timeout):
        while not await condition():
            await asyncio.sleep(0.005)


async def _cancel_requested(session: AsyncSession, charge: Charge) -> bool:
    await session.refresh(charge)
    return charge.cancel_requested is not None


def _assert_sound(ledger: SandboxLedger, finals: dict[str, ChargeStatus]) -> None:
    """Authorised-and-kept charges hold money at the gateway; cancelled ones hold none."""
    held = holdings(ledger.entries).held
    for charge_id, final in finals.items():
        assert final in (AUTHORISED_AND_KEPT, CANCELLED), (charge_id, final)
        assert (charge_id in held) == (final == AUTHORISED_AND_KEPT), (charge_id, final)


async def _one_race(
    client: httpx.AsyncClient, session: AsyncSession, charge: Charge, sandbox: GatedSandbox, moment: str
) -> None:
    """Cancel ``before`` the card is sent, ``during`` the gateway call, or ``after`` it answered."""
    if moment == "before":
        assert (await client.post(_url(charge, "/cancel"))).status_code == 204
        sandbox.gate.set()
        assert (await client.post(_url(charge, "/cards"), json=card_body())).status_code == 400
        return
    if moment == "after":
        sandbox.gate.set()
        assert (await client.post(_url(charge, "/cards"), json=card_body())).status_code == 200
        assert (await client.post(_url(charge, "/cancel"))).status_code == 204
        return
    cards = asyncio.create_task(client.post(_url(charge, "/cards"), json=card_body()))
    await sandbox.entered.wait()
    cancel = asyncio.create_task(client.post(_url(charge, "/cancel")))
    await _until(lambda: _cancel_requested(session, charge))
    sandbox.gate.set()
    assert (await cancel).status_code == 204
    assert (await cards).status_code == 400  # the charge was cancelled under it


@pytest.mark.asyncio
async def test_cancel_before_during_and_after_the_gateway_call_sixty_times(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    ledger = SandboxLedger()
    finals: dict[str, ChargeStatus] = {}
    for moment in ("before", "during", "after") * 10:
        charge = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS)
        sandbox = GatedSandbox(ledger)
        with registry.override("sandbox", sandbox):
            await _one_race(connector_client, db_session, charge, sandbox, moment)
        finals[charge.external_id] = await _status(db_session, charge)
    # Jittered: the cancel lands anywhere around a gateway call of random length.
    rng = random.Random(20261202)
    for _ in range(30):
        charge = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS)
        cancel_after = rng.uniform(0, 0.03)

        async def cancel_later(charge: Charge = charge, delay: float = cancel_after) -> httpx.Response:
            await asyncio.sleep(delay)
            return await connector_client.post(_url(charge, "/cancel"))

        with registry.override("sandbox", GatedSandbox(ledger, delay=rng.uniform(0, 0.03), gated=False)):
            await asyncio.gather(
                connector_client.post(_url(charge, "/cards"), json=card_body()), cancel_later()
            )
        finals[charge.external_id] = await _status(db_session, charge)

    _assert_sound(ledger, finals)
    # The payer always pressed cancel, and a cancel is never lost: all 60 end cancelled, none held.
    assert set(finals.values()) == {CANCELLED}
    assert len(holdings(ledger.entries).voided) >= 20  # "during" and "after" voided what was held


@pytest.fixture(autouse=True)
def _restore_settings(connector_app: FastAPI, connector_settings: Settings) -> Iterator[None]:
    """Tests here shorten the cancel's wait on the shared app; put the session's settings back."""
    yield
    connector_app.state.settings = connector_settings


@pytest.mark.asyncio
async def test_a_cancel_outliving_its_wait_answers_202_and_the_outcome_is_voided(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
) -> None:
    settings = connector_settings.model_copy(update={"cancel_wait_for_authorisation_seconds": 0.05})
    connector_app.state.settings = settings
    charge = await create_charge(db_session, await create_account(db_session), status=S.ENTERING_CARD_DETAILS)
    sandbox = GatedSandbox()
    with registry.override("sandbox", sandbox):
        cards = asyncio.create_task(connector_client.post(_url(charge, "/cards"), json=card_body()))
        await sandbox.entered.wait()
        cancel = await connector_client.post(_url(charge, "/cancel"))
        assert cancel.status_code == 202
        assert cancel.json()["message"] == [
            f"User Cancellation for charge already in progress, {charge.external_id}"
        ]
        assert await _status(db_session, charge) == S.AUTHORISATION_READY
        sandbox.gate.set()
        await cards

    assert await _status(db_session, charge) == CANCELLED
    assert (await _events(db_session, charge))[1:] == [
        "AUTHORISATION READY",
        "AUTHORISATION SUCCESS",
        "USER CANCEL READY",
        "USER CANCELLED",
    ]
    assert holdings(sandbox.ledger.entries).status[charge.external_id] == "CANCELLED"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("payer_cancelled", "final", "flow_lock"),
    [(True, S.USER_CANCELLED, "USER CANCEL READY"), (False, S.EXPIRED, "EXPIRE CANCEL READY")],
    ids=["payer-cancelled", "abandoned"],
)
async def test_a_crash_after_the_gateway_authorised_is_voided_by_recovery(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
    payer_cancelled: bool,
    final: ChargeStatus,
    flow_lock: str,
) -> None:
    settings = connector_settings.model_copy(update={"cancel_wait_for_authorisation_seconds": 0.0})
    connector_app.state.settings = settings
    charge = await create_charge(db_session, await create_account(db_session), status=S.ENTERING_CARD_DETAILS)
    sandbox = GatedSandbox(gated=False, crash_after_authorising=True)
    with registry.override("sandbox", sandbox):
        with pytest.raises(SimulatedCrash):
            await connector_client.post(_url(charge, "/cards"), json=card_body())
        if payer_cancelled:
            assert (await connector_client.post(_url(charge, "/cancel"))).status_code == 202
        assert await _status(db_session, charge) == S.AUTHORISATION_READY
        assert holdings(sandbox.ledger.entries).held == {charge.external_id}
        # Fresh intents are left alone (the gateway may still answer)...
        assert (await recover_intents(connector_app.state.sessionmaker, settings)).authorisations == 0
        later = utc_now() + timedelta(seconds=settings.stale_intent_after_seconds + 1)
        recovered = await recover_intents(connector_app.state.sessionmaker, settings, now=later)

    assert recovered.authorisations == 1
    assert await _status(db_session, charge) == final
    assert (await _events(db_session, charge))[2:] == ["AUTHORISATION SUCCESS", flow_lock, final.value]
    assert holdings(sandbox.ledger.entries).held == frozenset()


@pytest.mark.asyncio
async def test_a_crash_before_the_gateway_saw_the_charge_ends_it_without_a_hold(
    db_session: AsyncSession, connector_app: FastAPI, connector_settings: Settings
) -> None:
    charge = await create_charge(db_session, await create_account(db_session), status=S.AUTHORISATION_READY)
    sandbox = SandboxGateway()
    later = utc_now() + timedelta(seconds=connector_settings.stale_intent_after_seconds + 1)
    with registry.override("sandbox", sandbox):
        await recover_intents(connector_app.state.sessionmaker, connector_settings, now=later)
    assert await _status(db_session, charge) == S.EXPIRED
    assert (await _events(db_session, charge))[1:] == ["EXPIRED"]
    # The sandbox could not tell, so a void went out anyway (harmless for nothing held).
    assert [entry.op for entry in sandbox.ledger.entries] == ["cancel"]
