"""``POST /v1/tasks/gateway-cleanup-sweep`` on Stripe charges left in an authorisation error."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.base import AuthorisationRequest, CardForAuthorisation
from connector.gateways.credentials import StripeCredentials
from connector.gateways.stripe.adapter import StripeGateway
from pay_common.ids import new_uuid
from tests.connector.gateways.stripe.conftest import CONNECTED_ACCOUNT, stripe_account, stripe_charge

S = ChargeStatus
pytestmark = pytest.mark.asyncio


async def test_cleanup_cancels_open_intents_and_marks_missing_ones(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> None:
    result = await stripe.authorise(
        AuthorisationRequest(
            charge_external_id=new_uuid(),
            gateway_transaction_id="",
            amount=1000,
            description="d",
            card=CardForAuthorisation("4242424242424242", "123", "11/30", "Mr Payment", "visa"),
            credentials=StripeCredentials(stripe_account_id=CONNECTED_ACCOUNT),
        )
    )
    account = await stripe_account(db_session)
    open_charge = await stripe_charge(
        db_session,
        account,
        status=S.AUTHORISATION_TIMEOUT,
        gateway_transaction_id=result.gateway_transaction_id,
    )
    missing = await stripe_charge(
        db_session, account, status=S.AUTHORISATION_ERROR, gateway_transaction_id=new_uuid()
    )
    response = await connector_client.post("/v1/tasks/gateway-cleanup-sweep", params={"limit": 10})
    assert response.json() == {"cleanup-success": 2, "cleanup-failed": 0}
    await db_session.refresh(open_charge)
    await db_session.refresh(missing)
    assert open_charge.status == S.AUTHORISATION_ERROR_CANCELLED
    assert missing.status == S.AUTHORISATION_ERROR_CHARGE_MISSING
    intent = (await localstripe_client.get(f"/v1/payment_intents/{result.gateway_transaction_id}")).json()
    assert intent["status"] == "canceled"
