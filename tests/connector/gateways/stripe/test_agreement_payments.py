"""Stripe agreements end to end (connector.md §11.2, §11.3): the set-up payment's intent names a
Customer and ``setup_future_usage=off_session``, so Stripe keeps the payment method; agreement
payments are off-session intents with both, confirmed at once, captured by the worker; declines'
``decline_code`` map to decline reasons (localstripe plus the shims of tests/stubs)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings
from connector.gateways.stripe.adapter import StripeGateway, rejection_reason
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.stripe.conftest import CONNECTED_ACCOUNT, stripe_account
from tests.connector.recurring.setup import (
    Decline,
    agreement_status,
    approve_set_up,
    charge_row,
    check_decline,
    pay_with_agreement,
    set_up_agreement,
    start_set_up,
    stored_token,
)

pytestmark = pytest.mark.asyncio
CARD = "4242424242424242"
#: Authenticated at set-up, not asked again off session (Stripe's test card; the shim follows it).
THREE_DS_CARD = "4000002500003155"


async def _get(localstripe_client: httpx.AsyncClient, path: str) -> dict[str, object]:
    response = await localstripe_client.get(path)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


async def test_set_up_keeps_the_payment_method_and_agreement_payments_are_off_session_then_captured(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> None:
    account = await stripe_account(db_session, recurring_enabled=True)
    setup = await set_up_agreement(connector_client, account.id, CARD)

    assert await agreement_status(connector_client, account.id, setup.agreement_id) == "ACTIVE/ACTIVE"
    token = await stored_token(db_session, setup.agreement_id)
    assert set(token) == {"customer_id", "payment_method_id"}
    setup_charge = await charge_row(db_session, setup.charge_id)
    setup_intent = await _get(
        localstripe_client, f"/v1/payment_intents/{setup_charge.gateway_transaction_id}"
    )
    assert setup_intent["setup_future_usage"] == "off_session"
    assert setup_intent["customer"] == token["customer_id"]
    method = await _get(localstripe_client, f"/v1/payment_methods/{token['payment_method_id']}")
    assert method["customer"] == token["customer_id"]
    customer = await _get(localstripe_client, f"/v1/customers/{token['customer_id']}")
    assert customer["metadata"] == {
        "govuk_pay_transaction_external_id": setup.charge_id,
        "connected_account": CONNECTED_ACCOUNT,
    }

    charge_id = await pay_with_agreement(connector_client, connector_settings, account.id, setup.agreement_id)

    charge = await charge_row(db_session, charge_id)
    assert charge.status == "CAPTURED"
    assert charge.last_digits_card_number == "4242"
    intent = await _get(localstripe_client, f"/v1/payment_intents/{charge.gateway_transaction_id}")
    assert (intent["customer"], intent["payment_method"]) == (
        token["customer_id"],
        token["payment_method_id"],
    )
    assert (intent["status"], intent["capture_method"], intent["on_behalf_of"]) == (
        "succeeded",
        "manual",
        CONNECTED_ACCOUNT,
    )
    keys = (await localstripe_client.get("/_config/shim/idempotency")).json()
    assert {"path": "/v1/payment_intents", "key": f"connector:authorise:{charge_id}"} in keys
    view = (await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge_id}")).json()
    assert view["state"] == {"status": "success", "finished": True}


async def test_a_set_up_payment_authorised_after_3ds_gets_its_token(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    stripe: StripeGateway,
    localstripe_client: httpx.AsyncClient,
) -> None:
    account = await stripe_account(db_session, recurring_enabled=True, requires_3ds=True)
    agreement_id, charge_id = await start_set_up(connector_client, account.id)
    challenged = await connector_client.post(
        f"/v1/frontend/charges/{charge_id}/cards", json=card_body(THREE_DS_CARD)
    )
    assert challenged.json() == {"status": "AUTHORISATION 3DS REQUIRED"}
    intent_id = (await charge_row(db_session, charge_id)).gateway_transaction_id
    intent = await _get(localstripe_client, f"/v1/payment_intents/{intent_id}")
    authenticated = await localstripe_client.post(
        f"/v1/payment_intents/{intent_id}/_authenticate",
        data={"client_secret": str(intent["client_secret"]), "success": "true"},
    )
    assert authenticated.status_code == 200, authenticated.text
    three_ds = await connector_client.post(f"/v1/frontend/charges/{charge_id}/3ds", json={})
    assert three_ds.json() == {"status": "AUTHORISATION SUCCESS"}

    setup = await approve_set_up(connector_client, account.id, agreement_id, charge_id)

    assert setup.agreement["status"] == "ACTIVE"
    assert set(await stored_token(db_session, agreement_id)) == {"customer_id", "payment_method_id"}
    paid = await pay_with_agreement(connector_client, connector_settings, account.id, agreement_id)
    assert (await charge_row(db_session, paid)).status == "CAPTURED"


@pytest.mark.parametrize(
    ("amount", "can_retry", "after"),
    [
        (10051, True, "ACTIVE/ACTIVE"),  # insufficient_funds
        (10002, True, "ACTIVE/ACTIVE"),  # generic_decline
        (10043, False, "INACTIVE/INACTIVE"),  # stolen_card
        (10041, False, "INACTIVE/INACTIVE"),  # lost_card
    ],
)
async def test_a_decline_stores_can_retry_and_one_that_cannot_be_retried_ends_the_agreement(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    stripe: StripeGateway,
    amount: int,
    can_retry: bool,
    after: str,
) -> None:
    account = await stripe_account(db_session, recurring_enabled=True)
    agreement_id = (await set_up_agreement(connector_client, account.id, CARD)).agreement_id

    charge_id = await pay_with_agreement(
        connector_client, connector_settings, account.id, agreement_id, amount
    )

    charge = await check_decline(
        connector_client,
        db_session,
        connector_settings,
        account.id,
        charge_id,
        Decline(can_retry, after, paid_status="CAPTURED"),
    )
    assert (charge.gateway_transaction_id or "").startswith("pi_")


@pytest.mark.parametrize(
    ("decline_code", "reason"),
    [
        ("insufficient_funds", "INSUFFICIENT_FUNDS"),
        ("expired_card", "EXPIRED_CARD"),
        ("stolen_card", "STOLEN_CARD"),
        ("lost_card", "LOST_CARD"),
        ("do_not_honor", "DO_NOT_HONOUR"),
        ("generic_decline", "GENERIC_DECLINE"),
        ("authentication_required", "AUTHENTICATION_REQUESTED"),
        ("call_issuer", "UNCATEGORISED"),
        (None, "UNCATEGORISED"),
    ],
)
async def test_decline_codes_map_to_decline_reasons(decline_code: str | None, reason: str) -> None:
    assert rejection_reason(decline_code) == reason
