"""A refund a crash left in CREATED is carried out by the recovery sweep, exactly once at the gateway."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.gateways.base import RefundRequest, RefundResult
from connector.gateways.sandbox.adapter import SandboxGateway
from connector.gateways.sandbox.ledger import holdings
from connector.models import Refund
from connector.recovery.service import recover_intents
from pay_common.db.base import utc_now
from tests.connector.gateways.fakes import SimulatedCrash
from tests.factories import create_account, create_charge

pytestmark = pytest.mark.asyncio


class CrashingSandbox(SandboxGateway):
    """The connector dies during the refund call: before the provider acted, or just after."""

    def __init__(self, *, after_refunding: bool) -> None:
        super().__init__()
        self.after_refunding = after_refunding

    async def refund(self, request: RefundRequest) -> RefundResult:
        if self.after_refunding:
            await super().refund(request)
        raise SimulatedCrash("refund")


@pytest.mark.parametrize("after_refunding", [False, True], ids=["before-the-provider", "after-the-provider"])
async def test_a_refund_left_created_by_a_crash_is_refunded_once(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    connector_settings: Settings,
    after_refunding: bool,
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)
    url = f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds"
    crashing = CrashingSandbox(after_refunding=after_refunding)
    with registry.override("sandbox", crashing), pytest.raises(SimulatedCrash):
        await connector_client.post(url, json={"amount": 400, "refund_amount_available": 1000})
    refund = (await db_session.scalars(select(Refund))).one()
    assert refund.status == "CREATED"
    # Still reserved: a second refund sees only 600 available.
    mismatch = await connector_client.post(url, json={"amount": 100, "refund_amount_available": 1000})
    assert mismatch.status_code == 412

    recovering = SandboxGateway(crashing.ledger)
    with registry.override("sandbox", recovering):
        fresh = await recover_intents(connector_app.state.sessionmaker, connector_settings)
        later = utc_now() + timedelta(seconds=connector_settings.stale_intent_after_seconds + 1)
        recovered = await recover_intents(connector_app.state.sessionmaker, connector_settings, now=later)
        again = await recover_intents(connector_app.state.sessionmaker, connector_settings, now=later)

    assert (fresh.refunds, recovered.refunds, again.refunds) == (0, 1, 0)
    await db_session.refresh(refund)
    assert refund.status == "REFUNDED"
    assert holdings(recovering.ledger.entries).refunded[charge.external_id] == 400
    keys = [e.key for e in recovering.ledger.entries if e.op == "refund"]
    assert keys == [f"connector:refund:{refund.external_id}"] * (2 if after_refunding else 1)
    listed = await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
    assert listed.json()["refund_summary"]["amount_available"] == 600
