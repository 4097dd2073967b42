"""Worldpay agreements end to end (connector.md §11.2, §11.3, §14.3): the set-up payment asks
Worldpay for a token (``createToken``, stored credentials FIRST) with the recurring customer-initiated
merchant code; agreement payments are token orders (``TOKEN-SSL``, stored credentials USED, reason
RECURRING) with the merchant-initiated code, captured by the worker; refusals map to decline reasons."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings
from connector.gateways.worldpay.adapter import WorldpayGateway, rejection_reason
from tests.connector.gateways.worldpay.conftest import stub_order, worldpay_account
from tests.connector.recurring.setup import (
    Decline,
    agreement_status,
    charge_row,
    check_decline,
    pay_with_agreement,
    set_up_agreement,
    stored_token,
)
from tests.stubs import worldpay as stub
from tests.stubs.servers import WORLDPAY_USERS

pytestmark = pytest.mark.asyncio
CARD = "4444333322221111"
RECURRING_CUSTOMER = WORLDPAY_USERS["recurring_customer_initiated"]["merchant_code"]
RECURRING_MERCHANT = WORLDPAY_USERS["recurring_merchant_initiated"]["merchant_code"]


async def test_set_up_creates_a_token_and_agreement_payments_are_token_orders_then_captured(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    account = await worldpay_account(db_session, recurring_enabled=True)
    setup = await set_up_agreement(connector_client, account.id, CARD)

    assert await agreement_status(connector_client, account.id, setup.agreement_id) == "ACTIVE/ACTIVE"
    setup_charge = await charge_row(db_session, setup.charge_id)
    setup_order = await stub_order(stub_client, setup_charge.gateway_transaction_id or "")
    assert setup_order["merchant_code"] == RECURRING_CUSTOMER
    assert setup_order["stored_credentials"] == {"usage": "FIRST"}
    token = await stored_token(db_session, setup.agreement_id)
    assert token["payment_token_id"] == setup_order["token_id"]
    assert token["scheme_transaction_identifier"].startswith("MCC")
    assert CARD not in repr(token)

    charge_id = await pay_with_agreement(connector_client, connector_settings, account.id, setup.agreement_id)

    charge = await charge_row(db_session, charge_id)
    assert charge.status == "CAPTURE SUBMITTED"
    assert (charge.last_digits_card_number, charge.first_digits_card_number) == ("1111", "444433")
    order = await stub_order(stub_client, charge.gateway_transaction_id or "")
    assert order["merchant_code"] == RECURRING_MERCHANT
    assert order["token_id"] == token["payment_token_id"]
    assert order["stored_credentials"] == {
        "usage": "USED",
        "merchantInitiatedReason": "RECURRING",
        "schemeTransactionIdentifier": token["scheme_transaction_identifier"],
    }
    assert order["modifications"] == ["capture"]
    # The set-up payment was captured with the merchant code that took it.
    assert (await charge_row(db_session, setup.charge_id)).status == "CAPTURE SUBMITTED"
    assert (await stub_order(stub_client, setup_charge.gateway_transaction_id or ""))["modifications"] == [
        "capture"
    ]
    view = (await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge_id}")).json()
    assert view["state"] == {"status": "success", "finished": True}


async def test_a_set_up_payment_authorised_after_3ds_gets_its_token(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    worldpay: WorldpayGateway,
    stub_client: httpx.AsyncClient,
) -> None:
    account = await worldpay_account(db_session, recurring_enabled=True, requires_3ds=True)
    setup = await set_up_agreement(
        connector_client, account.id, stub.THREE_DS1_CARD, three_ds={"pa_response": stub.PASS_3DS}
    )

    assert setup.agreement["status"] == "ACTIVE"
    setup_order = await stub_order(
        stub_client, (await charge_row(db_session, setup.charge_id)).gateway_transaction_id or ""
    )
    assert setup_order["merchant_code"] == RECURRING_CUSTOMER
    assert (await stored_token(db_session, setup.agreement_id))["payment_token_id"] == setup_order["token_id"]
    charge_id = await pay_with_agreement(connector_client, connector_settings, account.id, setup.agreement_id)
    assert (await charge_row(db_session, charge_id)).status == "CAPTURE SUBMITTED"


@pytest.mark.parametrize(
    ("amount", "can_retry", "after"),
    [
        (10051, True, "ACTIVE/ACTIVE"),  # insufficient funds
        (10005, True, "ACTIVE/ACTIVE"),  # do not honour
        (10054, False, "INACTIVE/INACTIVE"),  # expired card
        (10043, False, "INACTIVE/INACTIVE"),  # stolen card
    ],
)
async def test_a_refusal_stores_can_retry_and_one_that_cannot_be_retried_ends_the_agreement(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    worldpay: WorldpayGateway,
    amount: int,
    can_retry: bool,
    after: str,
) -> None:
    account = await worldpay_account(db_session, recurring_enabled=True)
    agreement_id = (await set_up_agreement(connector_client, account.id, CARD)).agreement_id

    charge_id = await pay_with_agreement(
        connector_client, connector_settings, account.id, agreement_id, amount
    )

    await check_decline(
        connector_client,
        db_session,
        connector_settings,
        account.id,
        charge_id,
        Decline(can_retry, after, paid_status="CAPTURE SUBMITTED"),
    )


async def test_an_error_reply_leaves_the_payment_in_error_and_the_agreement_active(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    worldpay: WorldpayGateway,
) -> None:
    account = await worldpay_account(db_session, recurring_enabled=True)
    agreement_id = (await set_up_agreement(connector_client, account.id, CARD)).agreement_id

    charge_id = await pay_with_agreement(
        connector_client, connector_settings, account.id, agreement_id, stub.TOKEN_ERROR_AMOUNT
    )

    assert (await charge_row(db_session, charge_id)).status == "AUTHORISATION ERROR"
    assert await agreement_status(connector_client, account.id, agreement_id) == "ACTIVE/ACTIVE"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("5", "DO_NOT_HONOUR"),
        ("51", "INSUFFICIENT_FUNDS"),
        ("54", "EXPIRED_CARD"),
        ("43", "STOLEN_CARD"),
        ("91", "UNCATEGORISED"),
        (None, "UNCATEGORISED"),
    ],
)
async def test_iso8583_return_codes_map_to_decline_reasons(code: str | None, reason: str) -> None:
    assert rejection_reason(code) == reason
