"""GET /v1/api/accounts[/{id}] and the frontend views (seed 000, connector.md §14.1)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import CreateAccount
from tests.factories import create_account as insert_account

API_FIELDS = {
    "gateway_account_id",
    "external_id",
    "payment_provider",
    "type",
    "description",
    "analytics_id",
    "service_name",
    "service_id",
    "corporate_credit_card_surcharge_amount",
    "corporate_debit_card_surcharge_amount",
    "corporate_prepaid_credit_card_surcharge_amount",
    "corporate_prepaid_debit_card_surcharge_amount",
    "allow_apple_pay",
    "allow_google_pay",
    "block_prepaid_cards",
    "allow_zero_amount",
    "email_collection_mode",
    "requires3ds",
    "integration_version_3ds",
    "allow_moto",
    "moto_mask_card_number_input",
    "moto_mask_card_security_code_input",
    "allow_telephone_payment_notifications",
    "provider_switch_enabled",
    "send_payer_ip_address_to_gateway",
    "send_payer_email_to_gateway",
    "send_reference_to_gateway",
    "allow_authorisation_api",
    "recurring_enabled",
    "disabled",
    "disabled_reason",
    "worldpay_3ds_flex",
    "email_notifications",
    "gateway_account_credentials",
    "_links",
}


@pytest.mark.asyncio
async def test_get_account_shows_every_field_with_defaults(
    connector_client: httpx.AsyncClient, create_account: CreateAccount
) -> None:
    created = await create_account(service_name="service name", description="Sample Service")
    account_id = int(created["gateway_account_id"])

    response = await connector_client.get(f"/v1/api/accounts/{account_id}")

    assert response.status_code == 200
    account = response.json()
    assert set(account) == API_FIELDS
    assert account["gateway_account_id"] == account_id
    assert account["service_name"] == "service name"
    assert account["description"] == "Sample Service"
    assert account["analytics_id"] is None
    assert account["email_collection_mode"] == "MANDATORY"
    assert account["corporate_credit_card_surcharge_amount"] == 0
    assert account["requires3ds"] is False
    assert account["worldpay_3ds_flex"] is None
    assert account["_links"] == {"self": {"href": f"http://connector.test/v1/api/accounts/{account_id}"}}
    assert "credentials" not in account


@pytest.mark.asyncio
async def test_service_name_is_left_out_when_empty(
    connector_client: httpx.AsyncClient, create_account: CreateAccount
) -> None:
    created = await create_account()

    account = (await connector_client.get(f"/v1/api/accounts/{created['gateway_account_id']}")).json()

    assert "service_name" not in account


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/v1/api/accounts/{}", "/v1/frontend/accounts/{}"])
async def test_unknown_account_is_404_with_the_seed_message(
    connector_client: httpx.AsyncClient, path: str
) -> None:
    for account_id in ("999", "abc", "99999999999999999999999", "-1"):
        response = await connector_client.get(path.format(account_id))

        assert response.status_code == 404
        assert response.json() == {
            "error_identifier": "GENERIC",
            "message": [f"The gateway account id '{account_id}' does not exist"],
        }


@pytest.mark.asyncio
async def test_frontend_view_has_credentials_without_secrets(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(
        db_session,
        payment_provider="worldpay",
        credentials={
            "one_off_customer_initiated": {
                "merchant_code": "MC",
                "username": "user",
                "password": "pw-secret",
            },
            "gateway_merchant_id": "0123456789abcde",
        },
        notify_settings={"api_token": "notify-secret", "template_id": "t", "refund_issued_template_id": "r"},
        type="LIVE",
    )

    response = await connector_client.get(f"/v1/frontend/accounts/{account.id}")

    assert response.status_code == 200
    body = response.json()
    assert body["credentials"] == {
        "one_off_customer_initiated": {"merchant_code": "MC", "username": "user"},
        "gateway_merchant_id": "0123456789abcde",
    }
    assert body["live"] is True
    assert body["type"] == "live"
    assert body["notifySettings"] == {"template_id": "t", "refund_issued_template_id": "r"}
    assert body["gateway_account_credentials"][0]["credentials"]["one_off_customer_initiated"] == {
        "merchant_code": "MC",
        "username": "user",
    }
    assert "secret" not in response.text


@pytest.mark.asyncio
async def test_frontend_account_by_external_id(
    connector_client: httpx.AsyncClient, create_account: CreateAccount
) -> None:
    created = await create_account()

    found = await connector_client.get(f"/v1/frontend/accounts/external-id/{created['external_id']}")
    missing = await connector_client.get("/v1/frontend/accounts/external-id/nope")

    assert found.status_code == 200
    assert found.json()["gateway_account_id"] == int(created["gateway_account_id"])
    assert found.json()["credentials"] == {}
    assert missing.status_code == 404


async def _ids(client: httpx.AsyncClient, query: str, *, frontend: bool = False) -> list[int]:
    base = "/v1/frontend/accounts" if frontend else "/v1/api/accounts"
    response = await client.get(f"{base}?{query}" if query else base)
    assert response.status_code == 200, response.text
    return [account["gateway_account_id"] for account in response.json()["accounts"]]


@pytest_asyncio.fixture
async def accounts(db_session: AsyncSession) -> dict[str, int]:
    """Five accounts that differ in every filtered attribute."""
    specs: dict[str, dict[str, Any]] = {
        "plain": {},
        "moto": {"allow_moto": True, "service_id": "svc-moto"},
        "wallets_live": {"allow_apple_pay": True, "allow_google_pay": True, "type": "LIVE"},
        "worldpay_3ds": {
            "payment_provider": "worldpay",
            "requires_3ds": True,
            "recurring_enabled": True,
            "credentials": {"one_off_customer_initiated": {"merchant_code": "MERCHANT-1"}},
        },
        "stripe_switch": {
            "payment_provider": "stripe",
            "provider_switch_enabled": True,
            "credentials": {"stripe_account_id": "acct_42"},
        },
    }
    return {name: (await insert_account(db_session, **fields)).id for name, fields in specs.items()}


FILTER_CASES = [
    ("", ["plain", "moto", "wallets_live", "worldpay_3ds", "stripe_switch"]),
    ("moto_enabled=true", ["moto"]),
    ("moto_enabled=false", ["plain", "wallets_live", "worldpay_3ds", "stripe_switch"]),
    ("apple_pay_enabled=true", ["wallets_live"]),
    ("google_pay_enabled=TRUE", ["wallets_live"]),
    ("requires_3ds=true", ["worldpay_3ds"]),
    ("type=live", ["wallets_live"]),
    ("type=test&moto_enabled=true", ["moto"]),
    ("payment_provider=worldpay", ["worldpay_3ds"]),
    ("payment_provider=stripe", ["stripe_switch"]),
    ("payment_provider=epdq", []),
    ("serviceIds=svc-moto", ["moto"]),
    ("provider_switch_enabled=true", ["stripe_switch"]),
    ("recurring_enabled=true", ["worldpay_3ds"]),
    ("payment_provider_account_id=acct_42", ["stripe_switch"]),
    ("payment_provider_account_id=MERCHANT-1", ["worldpay_3ds"]),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("frontend", [False, True])
async def test_list_filters(
    connector_client: httpx.AsyncClient, accounts: dict[str, int], frontend: bool
) -> None:
    for query, expected in FILTER_CASES:
        found = await _ids(connector_client, query, frontend=frontend)
        assert found == [accounts[name] for name in expected], query


@pytest.mark.asyncio
async def test_list_filters_by_account_ids(
    connector_client: httpx.AsyncClient, accounts: dict[str, int]
) -> None:
    wanted = f"{accounts['moto']},{accounts['worldpay_3ds']},424242"

    assert await _ids(connector_client, f"accountIds={wanted}") == [
        accounts["moto"],
        accounts["worldpay_3ds"],
    ]
    assert await _ids(connector_client, f"accountIds={wanted}&payment_provider=worldpay") == [
        accounts["worldpay_3ds"]
    ]


@pytest.mark.asyncio
async def test_list_entries_carry_self_links_and_frontend_credentials(
    connector_client: httpx.AsyncClient, accounts: dict[str, int]
) -> None:
    api = (await connector_client.get("/v1/api/accounts?payment_provider=stripe")).json()["accounts"]
    frontend = (await connector_client.get("/v1/frontend/accounts?payment_provider=stripe")).json()[
        "accounts"
    ]

    account_id = accounts["stripe_switch"]
    assert api[0]["_links"] == {"self": {"href": f"http://connector.test/v1/api/accounts/{account_id}"}}
    assert "credentials" not in api[0]
    assert frontend[0]["credentials"] == {"stripe_account_id": "acct_42"}


BAD_FILTERS = [
    ("accountIds=1,two", "Parameter [accountIds] must be a comma separated list of numbers"),
    ("accountIds=", "Parameter [accountIds] must be a comma separated list of numbers"),
    ("moto_enabled=yes", "Parameter [moto_enabled] must be true or false"),
    ("apple_pay_enabled=1", "Parameter [apple_pay_enabled] must be true or false"),
    ("google_pay_enabled=", "Parameter [google_pay_enabled] must be true or false"),
    ("requires_3ds=no", "Parameter [requires_3ds] must be true or false"),
    ("provider_switch_enabled=x", "Parameter [provider_switch_enabled] must be true or false"),
    ("recurring_enabled=x", "Parameter [recurring_enabled] must be true or false"),
    ("type=prod", "Parameter [type] must be 'test' or 'live'"),
    (
        "payment_provider=paypal",
        "Parameter [payment_provider] must be one of [sandbox, worldpay, smartpay, epdq, stripe]",
    ),
    ("serviceIds=a,,b", "Parameter [serviceIds] must be a comma separated list of service ids"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize("base", ["/v1/api/accounts", "/v1/frontend/accounts"])
async def test_bad_filter_values_are_400(connector_client: httpx.AsyncClient, base: str) -> None:
    for query, message in BAD_FILTERS:
        response = await connector_client.get(f"{base}?{query}")

        assert response.status_code == 400, query
        assert response.json() == {"error_identifier": "GENERIC", "message": [message]}


@pytest.mark.asyncio
async def test_get_and_patch_by_service_and_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    live = await insert_account(db_session, service_id="svc-1", type="LIVE")
    await insert_account(db_session, service_id="svc-1", type="TEST")

    got = await connector_client.get("/v1/api/service/svc-1/account/live")
    patched = await connector_client.patch(
        "/v1/api/service/svc-1/account/live", json={"op": "replace", "path": "allow_moto", "value": True}
    )
    missing = await connector_client.get("/v1/api/service/svc-2/account/test")
    bad_type = await connector_client.get("/v1/api/service/svc-1/account/prod")

    assert got.status_code == 200
    assert got.json()["gateway_account_id"] == live.id
    assert patched.status_code == 200
    assert (await connector_client.get(f"/v1/api/accounts/{live.id}")).json()["allow_moto"] is True
    assert missing.status_code == 404
    assert bad_type.status_code == 400
