"""``POST /v1/tasks/gateway-cleanup-sweep`` on Worldpay charges left in an authorisation error."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.base import AuthorisationRequest, CardForAuthorisation
from connector.gateways.credentials import parse_credentials
from connector.gateways.worldpay.adapter import WorldpayGateway
from connector.models import Charge
from pay_common.ids import new_uuid
from tests.connector.gateways.worldpay.conftest import (
    stub_order,
    worldpay_account,
    worldpay_charge,
    worldpay_credentials,
)
from tests.stubs import worldpay as stub

S = ChargeStatus
pytestmark = pytest.mark.asyncio


async def _order_at_worldpay(gateway: WorldpayGateway, number: str) -> str:
    order_code = new_uuid()
    await gateway.authorise(
        AuthorisationRequest(
            charge_external_id="cleanup",
            gateway_transaction_id=order_code,
            amount=1000,
            description="d",
            card=CardForAuthorisation(number, "123", "11/30", "Mr Payment", "visa"),
            credentials=parse_credentials("worldpay", worldpay_credentials()),
        )
    )
    return order_code


async def test_cleanup_settles_each_error_charge_by_what_worldpay_says(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    account = await worldpay_account(db_session)
    authorised = await _order_at_worldpay(worldpay, "4444333322221111")
    refused = await _order_at_worldpay(worldpay, stub.REFUSED_CARD)
    charges: dict[str, Charge] = {}
    for name, status, order in (
        ("open", S.AUTHORISATION_TIMEOUT, authorised),
        ("refused", S.AUTHORISATION_ERROR, refused),
        ("missing", S.AUTHORISATION_UNEXPECTED_ERROR, new_uuid()),
    ):
        charges[name] = await worldpay_charge(
            db_session, account, status=status, gateway_transaction_id=order
        )
    agreement = await worldpay_charge(
        db_session,
        account,
        status=S.AUTHORISATION_ERROR,
        authorisation_mode="AGREEMENT",
        gateway_transaction_id=new_uuid(),
    )
    response = await connector_client.post("/v1/tasks/gateway-cleanup-sweep", params={"limit": 10})
    assert response.status_code == 200
    assert response.json() == {"cleanup-success": 3, "cleanup-failed": 0}
    for name, expected in (
        ("open", S.AUTHORISATION_ERROR_CANCELLED),
        ("refused", S.AUTHORISATION_ERROR_REJECTED),
        ("missing", S.AUTHORISATION_ERROR_CHARGE_MISSING),
    ):
        await db_session.refresh(charges[name])
        assert charges[name].status == expected, name
    assert (await stub_order(stub_client, authorised))["last_event"] == "CANCELLED"
    await db_session.refresh(agreement)
    assert agreement.status == S.AUTHORISATION_ERROR  # agreement payments are not swept


async def test_limit_is_required_and_bounds_the_work(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, worldpay: WorldpayGateway
) -> None:
    account = await worldpay_account(db_session)
    for _ in range(3):
        await worldpay_charge(
            db_session, account, status=S.AUTHORISATION_ERROR, gateway_transaction_id=new_uuid()
        )
    assert (await connector_client.post("/v1/tasks/gateway-cleanup-sweep")).status_code in (400, 422)
    assert (
        await connector_client.post("/v1/tasks/gateway-cleanup-sweep", params={"limit": "x"})
    ).status_code in (400, 422)
    response = await connector_client.post("/v1/tasks/gateway-cleanup-sweep", params={"limit": 2})
    assert response.json() == {"cleanup-success": 2, "cleanup-failed": 0}
