"""Stripe through the connector: payment intents on localstripe, webhooks signed as Stripe signs them."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.capture.service import capture_due
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.disputes.schemas import dispute_external_id
from connector.gateways import registry
from connector.gateways.stripe.adapter import StripeGateway
from connector.models import Charge, Dispute, Fee, GatewayAccountCredential, Refund
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.stripe.conftest import (
    CONNECTED_ACCOUNT,
    PLATFORM_ACCOUNT,
    event,
    signed,
    stripe_account,
    stripe_charge,
    stripe_gateway,
)
from tests.factories import create_account

S = ChargeStatus
pytestmark = pytest.mark.asyncio
NOTIFY = "/v1/api/notifications/stripe"
THREE_DS_CARD = "4000000000003220"
DECLINED_CARD = "4000000000000341"


async def _authorise(
    client: httpx.AsyncClient, charge: Charge, number: str = "4242424242424242"
) -> httpx.Response:
    return await client.post(f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body(number))


async def _notify(client: httpx.AsyncClient, payload: bytes, signature: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["Stripe-Signature"] = signature
    return await client.post(NOTIFY, content=payload, headers=headers)


async def _intent(localstripe_client: httpx.AsyncClient, intent_id: str) -> dict[str, object]:
    response = await localstripe_client.get(f"/v1/payment_intents/{intent_id}")
    assert response.status_code == 200
    result: dict[str, object] = response.json()
    return result


async def test_authorisation_makes_a_manual_capture_intent_on_behalf_of_the_service(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session))
    response = await _authorise(connector_client, charge)
    assert response.json() == {"status": "AUTHORISATION SUCCESS"}
    await db_session.refresh(charge)
    intent = await _intent(localstripe_client, charge.gateway_transaction_id or "")
    assert intent["status"] == "requires_capture"
    assert intent["capture_method"] == "manual"
    assert intent["amount"] == 1000
    assert intent["metadata"] == {"govuk_pay_transaction_external_id": charge.external_id}


async def test_declined_card_is_rejected(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session))
    response = await _authorise(connector_client, charge, DECLINED_CARD)
    assert response.status_code == 400
    assert response.json()["message"] == ["This transaction was declined."]
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_REJECTED


@pytest.mark.parametrize(
    ("server", "status"),
    [("silent_server", S.AUTHORISATION_TIMEOUT), ("closed_port", S.AUTHORISATION_UNEXPECTED_ERROR)],
)
async def test_unreachable_stripe_maps_to_timeout_or_unexpected_error(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    request: pytest.FixtureRequest,
    server: str,
    status: ChargeStatus,
) -> None:
    gateway = stripe_gateway(request.getfixturevalue(server), timeout=0.3)
    try:
        with registry.override("stripe", gateway):
            charge = await stripe_charge(db_session, await stripe_account(db_session))
            response = await _authorise(connector_client, charge)
    finally:
        await gateway.close()
    assert response.status_code == 402
    assert "4242424242424242" not in response.text
    await db_session.refresh(charge)
    assert charge.status == status


async def test_account_without_a_connected_account_cannot_authorise(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    account = await create_account(db_session, payment_provider="stripe", credentials={})
    charge = await stripe_charge(db_session, account)
    response = await _authorise(connector_client, charge)
    assert response.status_code == 400
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_ERROR


async def _three_ds_charge(client: httpx.AsyncClient, session: AsyncSession) -> tuple[Charge, str]:
    charge = await stripe_charge(session, await stripe_account(session, requires_3ds=True))
    assert (await _authorise(client, charge, THREE_DS_CARD)).json() == {
        "status": "AUTHORISATION 3DS REQUIRED"
    }
    view = (await client.get(f"/v1/frontend/charges/{charge.external_id}")).json()
    await session.refresh(charge)
    return charge, view["auth_3ds_data"]["issuerUrl"]


@pytest.mark.parametrize(
    ("result", "final"), [("pass", S.AUTHORISATION_SUCCESS), ("fail", S.AUTHORISATION_REJECTED)]
)
async def test_three_ds_by_redirect_then_the_payment_pages(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    stripe: StripeGateway,
    result: str,
    final: ChargeStatus,
) -> None:
    charge, issuer_url = await _three_ds_charge(connector_client, db_session)
    async with httpx.AsyncClient() as payer:
        back = await payer.post(issuer_url, data={"result": result})
    assert back.status_code == 303
    assert (
        back.headers["location"] == f"http://frontend.test/card_details/{charge.external_id}/3ds_required_in"
    )
    response = await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/3ds", json={})
    assert response.json() == {"status": final.value}


async def test_three_ds_completed_by_the_capturable_webhook(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    charge, issuer_url = await _three_ds_charge(connector_client, db_session)
    async with httpx.AsyncClient() as payer:
        await payer.post(issuer_url, data={"result": "pass"})
    intent = {"id": charge.gateway_transaction_id, "object": "payment_intent", "amount_capturable": 1000}
    payload, signature = signed(event("payment_intent.amount_capturable_updated", intent))
    for _ in range(2):  # a duplicate delivery is harmless
        response = await _notify(connector_client, payload, signature)
        assert response.status_code == 200
        await db_session.refresh(charge)
        assert charge.status == S.AUTHORISATION_SUCCESS


async def test_payment_failed_webhook_rejects_a_charge_waiting_for_3ds(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    charge, _ = await _three_ds_charge(connector_client, db_session)
    payload, signature = signed(event("payment_intent.payment_failed", {"id": charge.gateway_transaction_id}))
    assert (await _notify(connector_client, payload, signature)).status_code == 200
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_REJECTED


@pytest.mark.parametrize(
    "signature",
    [None, "", "t=1,v1=deadbeef", "garbage", "forged-with-other-secret", "too-old"],
)
async def test_forged_webhooks_are_refused_and_change_nothing(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    stripe: StripeGateway,
    signature: str | None,
) -> None:
    charge, issuer_url = await _three_ds_charge(connector_client, db_session)
    intent = {"id": charge.gateway_transaction_id, "object": "payment_intent", "amount_capturable": 1000}
    body = event("payment_intent.amount_capturable_updated", intent)
    payload, header = signed(body)
    if signature == "forged-with-other-secret":
        payload, header = signed(body, "whsec_someone_else")
    elif signature == "too-old":
        payload, header = signed(body, at=1_000_000)
    else:
        header = signature  # type: ignore[assignment]
    response = await _notify(connector_client, payload, header)
    assert response.status_code == 400
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_3DS_REQUIRED


#: Two of Stripe's published webhook addresses (https://stripe.com/files/ips/ips_webhooks.txt).
STRIPE_WEBHOOK_CIDRS = ["3.18.12.63/32", "54.187.216.72/32"]


async def test_source_check_refuses_a_sender_outside_stripes_addresses(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    stripe: StripeGateway,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_app.state.settings, "stripe_allowed_cidrs", STRIPE_WEBHOOK_CIDRS)
    charge, issuer_url = await _three_ds_charge(connector_client, db_session)
    async with httpx.AsyncClient() as payer:
        await payer.post(issuer_url, data={"result": "pass"})
    intent = {"id": charge.gateway_transaction_id, "object": "payment_intent", "amount_capturable": 1000}
    payload, signature = signed(event("payment_intent.amount_capturable_updated", intent))
    headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
    # Correctly signed, but from elsewhere: the last X-Forwarded-For entry is what our edge saw;
    # no header means the peer (the test client), which is not Stripe either.
    for forwarded in ("203.0.113.5", "3.18.12.63, 203.0.113.5", "not-an-address", None):
        sent = headers if forwarded is None else {**headers, "X-Forwarded-For": forwarded}
        response = await connector_client.post(NOTIFY, content=payload, headers=sent)
        assert (response.status_code, response.content) == (403, b"")
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_3DS_REQUIRED
    # From Stripe's address but forged: still refused, by the signature check.
    forged = {**headers, "Stripe-Signature": "t=1,v1=deadbeef", "X-Forwarded-For": "3.18.12.63"}
    assert (await connector_client.post(NOTIFY, content=payload, headers=forged)).status_code == 400
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_3DS_REQUIRED
    response = await connector_client.post(
        NOTIFY, content=payload, headers={**headers, "X-Forwarded-For": "203.0.113.5, 54.187.216.72"}
    )
    assert response.status_code == 200
    await db_session.refresh(charge)
    assert charge.status == S.AUTHORISATION_SUCCESS


@pytest.mark.parametrize("variable", ["CONNECTOR_STRIPE_ALLOWED_CIDRS", "CONNECTOR_SANDBOX_ALLOWED_CIDRS"])
async def test_a_malformed_address_range_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, '["3.18.12.63/32", "stripe.com"]')
    with pytest.raises(ValidationError, match="does not appear to be an IPv4 or IPv6 network"):
        Settings()


async def test_capture_is_complete_at_once_and_pays_the_service(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session))
    await _authorise(connector_client, charge)
    assert (
        await connector_client.post(f"/v1/frontend/charges/{charge.external_id}/capture")
    ).status_code == 204
    await capture_due(connector_app.state.sessionmaker, connector_app.state.settings)
    await db_session.refresh(charge)
    assert charge.status == S.CAPTURED
    assert (await _intent(localstripe_client, charge.gateway_transaction_id or ""))["status"] == "succeeded"
    fee = await db_session.scalar(select(Fee).where(Fee.charge_id == charge.id))
    assert fee is not None
    assert fee.amount_collected == 1  # 0.08% of £10, rounded up
    transfers = (await localstripe_client.get("/_config/shim/transfers")).json()
    payout = [t for t in transfers if t["transfer_group"] == charge.external_id]
    assert payout == [payout[0]]
    assert payout[0]["destination"] == CONNECTED_ACCOUNT
    assert payout[0]["amount"] == 999
    keys = [k["key"] for k in (await localstripe_client.get("/_config/shim/idempotency")).json()]
    assert f"connector:capture:{charge.external_id}" in keys
    assert f"connector:authorise:{charge.external_id}" in keys

    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/refunds",
        json={"amount": 300, "refund_amount_available": 1000},
    )
    assert response.status_code == 202
    refund = await db_session.scalar(select(Refund).where(Refund.external_id == response.json()["refund_id"]))
    assert refund is not None
    assert refund.status == "REFUNDED"
    assert (refund.gateway_transaction_id or "").startswith("re_")
    transfers = (await localstripe_client.get("/_config/shim/transfers")).json()
    back = [
        t
        for t in transfers
        if t["transfer_group"] == charge.external_id and t["destination"] == PLATFORM_ACCOUNT
    ]
    assert back[0]["amount"] == 300
    assert back[0]["stripe_account"] == CONNECTED_ACCOUNT


async def test_service_cancel_cancels_the_intent(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> None:
    charge = await stripe_charge(db_session, await stripe_account(db_session))
    await _authorise(connector_client, charge)
    response = await connector_client.post(
        f"/v1/api/accounts/{charge.gateway_account_id}/charges/{charge.external_id}/cancel"
    )
    assert response.status_code == 204
    await db_session.refresh(charge)
    assert charge.status == S.SYSTEM_CANCELLED
    assert (await _intent(localstripe_client, charge.gateway_transaction_id or ""))["status"] == "canceled"


async def test_dispute_webhooks_are_recorded_once_per_dispute(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    charge = await stripe_charge(
        db_session, await stripe_account(db_session), status=S.CAPTURED, gateway_transaction_id="pi_disputed"
    )
    dispute = {
        "id": "dp_1",
        "object": "dispute",
        "payment_intent": "pi_disputed",
        "amount": 1000,
        "reason": "fraudulent",
        "status": "needs_response",
        "balance_transactions": [{"object": "balance_transaction", "amount": -2500, "fee": 1500}],
    }
    for kind, status in (("charge.dispute.created", "needs_response"), ("charge.dispute.closed", "lost")):
        payload, signature = signed(event(kind, {**dispute, "status": status}))
        assert (await _notify(connector_client, payload, signature)).status_code == 200
    rows = (await db_session.scalars(select(Dispute))).all()
    assert [(r.charge_id, r.status, r.last_event_type) for r in rows] == [
        (charge.id, "lost", "charge.dispute.closed")
    ]
    # What GET /v1/disputes is served from: the lost dispute with Stripe's fee, by the public id.
    search = await connector_client.get(f"/v1/api/accounts/{charge.gateway_account_id}/disputes")
    [listed] = search.json()["results"]
    assert (listed["payment_id"], listed["status"], listed["amount"]) == (charge.external_id, "lost", 1000)
    assert (listed["fee"], listed["net_amount"]) == (1500, -2500)
    assert listed["dispute_id"] == dispute_external_id("dp_1")


async def test_account_updated_activates_a_created_credential(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, stripe: StripeGateway
) -> None:
    account = await create_account(
        db_session,
        payment_provider="stripe",
        credential_state="CREATED",
        credentials={"stripe_account_id": "acct_new"},
        type="LIVE",
    )
    account_id = account.id
    not_ready = {"id": "acct_new", "charges_enabled": True, "payouts_enabled": False}
    ready = {
        "id": "acct_new",
        "charges_enabled": True,
        "payouts_enabled": True,
        "requirements": {"currently_due": []},
    }
    for body, state in ((not_ready, "CREATED"), (ready, "ACTIVE")):
        payload, signature = signed(event("account.updated", body))
        assert (await _notify(connector_client, payload, signature)).status_code == 200
        db_session.expire_all()
        credential = await db_session.scalar(
            select(GatewayAccountCredential).where(GatewayAccountCredential.gateway_account_id == account_id)
        )
        assert credential is not None
        assert credential.state == state
