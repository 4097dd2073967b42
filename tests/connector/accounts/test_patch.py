"""PATCH /v1/api/accounts/{id} with one {"op", "path", "value"} object (connector.md §14.2)."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import Snapshot
from tests.factories import create_account as insert_account

BOOLEAN_PATHS = [
    "allow_apple_pay",
    "allow_google_pay",
    "block_prepaid_cards",
    "allow_zero_amount",
    "allow_moto",
    "moto_mask_card_number_input",
    "moto_mask_card_security_code_input",
    "allow_telephone_payment_notifications",
    "send_payer_ip_address_to_gateway",
    "send_payer_email_to_gateway",
    "send_reference_to_gateway",
    "allow_authorisation_api",
    "recurring_enabled",
    "disabled",
    "provider_switch_enabled",
]


async def _patch(client: httpx.AsyncClient, account_id: int, body: Any) -> httpx.Response:
    return await client.patch(f"/v1/api/accounts/{account_id}", json=body)


async def _get(client: httpx.AsyncClient, account_id: int) -> dict[str, Any]:
    response = await client.get(f"/v1/api/accounts/{account_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.asyncio
async def test_boolean_paths_replace_the_flag(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)
    for path in BOOLEAN_PATHS:
        await _toggle(connector_client, account.id, path)


async def _toggle(connector_client: httpx.AsyncClient, account_id: int, path: str) -> None:
    account = await _get(connector_client, account_id)
    assert account[path] is False, path

    on = await _patch(connector_client, account_id, {"op": "replace", "path": path, "value": True})
    assert on.status_code == 200
    assert on.json() == {}
    assert (await _get(connector_client, account_id))[path] is True

    off = await _patch(connector_client, account_id, {"op": "replace", "path": path, "value": False})
    assert off.status_code == 200
    assert (await _get(connector_client, account_id))[path] is False


@pytest.mark.asyncio
async def test_boolean_paths_refuse_non_booleans(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    before = await snapshot()

    for path, (value, shown) in itertools.product(BOOLEAN_PATHS, (("true", "true"), (1, "1"))):
        response = await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": value})
        assert response.status_code == 400
        assert response.json() == {
            "error_identifier": "GENERIC",
            "message": [f"Value [{shown}] must be of type boolean for path [{path}]"],
        }
    assert await snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "corporate_credit_card_surcharge_amount",
        "corporate_debit_card_surcharge_amount",
        "corporate_prepaid_debit_card_surcharge_amount",
    ],
)
async def test_surcharge_paths(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot, path: str
) -> None:
    account = await insert_account(db_session)

    ok = await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": 250})
    assert ok.status_code == 200
    assert (await _get(connector_client, account.id))[path] == 250
    zero = await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": 0})
    assert zero.status_code == 200

    before = await snapshot()
    for value, shown in ((-1, "-1"), (1.5, "1.5"), ("100", "100"), (True, "true")):
        response = await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": value})
        assert response.status_code == 400
        assert response.json()["message"] == [f"Value [{shown}] is not valid for path [{path}]"]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_integration_version_3ds(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    path = "integration_version_3ds"

    assert (
        await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": 2})
    ).status_code == 200
    assert (await _get(connector_client, account.id))[path] == 2

    before = await snapshot()
    for value in (3, 0, "2"):
        response = await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": value})
        assert response.status_code == 400
        assert response.json()["message"] == [f"Value [{value}] is not valid for path [{path}]"]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_email_collection_mode_is_case_insensitive_and_validated(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    path = "email_collection_mode"

    for value, stored in (("optional", "OPTIONAL"), ("OFF", "OFF"), ("Mandatory", "MANDATORY")):
        response = await _patch(connector_client, account.id, {"op": "replace", "path": path, "value": value})
        assert response.status_code == 200
        assert (await _get(connector_client, account.id))[path] == stored

    before = await snapshot()
    response = await _patch(
        connector_client, account.id, {"op": "replace", "path": path, "value": "sometimes"}
    )
    assert response.status_code == 400
    assert response.json()["message"] == ["Value [sometimes] is not valid for path [email_collection_mode]"]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_notify_settings_replace_and_remove(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    settings = {
        "api_token": "tok",
        "template_id": "t1",
        "refund_issued_template_id": "t2",
        "email_reply_to_id": "r1",
    }

    replaced = await _patch(
        connector_client, account.id, {"op": "replace", "path": "notify_settings", "value": settings}
    )
    assert replaced.status_code == 200
    frontend = (await connector_client.get(f"/v1/frontend/accounts/{account.id}")).json()
    assert frontend["notifySettings"] == {
        "template_id": "t1",
        "refund_issued_template_id": "t2",
        "email_reply_to_id": "r1",
    }

    before = await snapshot()
    incomplete = await _patch(
        connector_client,
        account.id,
        {"op": "replace", "path": "notify_settings", "value": {"api_token": "tok"}},
    )
    assert incomplete.status_code == 400
    assert incomplete.json()["message"] == [
        "Field [template_id] is required",
        "Field [refund_issued_template_id] is required",
    ]
    not_object = await _patch(
        connector_client, account.id, {"op": "replace", "path": "notify_settings", "value": "tok"}
    )
    assert not_object.status_code == 400
    assert await snapshot() == before

    removed = await _patch(connector_client, account.id, {"op": "remove", "path": "notify_settings"})
    assert removed.status_code == 200
    frontend = (await connector_client.get(f"/v1/frontend/accounts/{account.id}")).json()
    assert frontend["notifySettings"] is None


@pytest.mark.asyncio
async def test_disabled_reason_and_re_enabling_clears_it(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)

    await _patch(connector_client, account.id, {"op": "replace", "path": "disabled", "value": True})
    reason = await _patch(
        connector_client, account.id, {"op": "replace", "path": "disabled_reason", "value": "Fraud"}
    )
    assert reason.status_code == 200
    assert (await _get(connector_client, account.id))["disabled_reason"] == "Fraud"
    bad = await _patch(connector_client, account.id, {"op": "replace", "path": "disabled_reason", "value": 5})
    assert bad.status_code == 400

    await _patch(connector_client, account.id, {"op": "replace", "path": "disabled", "value": False})
    account_view = await _get(connector_client, account.id)
    assert account_view["disabled"] is False
    assert account_view["disabled_reason"] is None


@pytest.mark.asyncio
async def test_provider_switch_needs_an_active_credential(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session, payment_provider="worldpay", credential_state="CREATED")
    before = await snapshot()

    response = await _patch(
        connector_client, account.id, {"op": "replace", "path": "provider_switch_enabled", "value": True}
    )

    assert response.status_code == 400
    assert "no ACTIVE credential" in response.json()["message"][0]
    assert await snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["worldpay_exemption_engine_enabled", "worldpay_corporate_exemptions_enabled"]
)
async def test_worldpay_exemption_paths_need_worldpay_with_3ds_flex(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot, path: str
) -> None:
    sandbox = await insert_account(db_session)
    worldpay = await insert_account(db_session, payment_provider="worldpay", service_id="other")
    before = await snapshot()

    not_worldpay = await _patch(connector_client, sandbox.id, {"op": "replace", "path": path, "value": True})
    no_flex = await _patch(connector_client, worldpay.id, {"op": "replace", "path": path, "value": True})
    not_bool = await _patch(connector_client, worldpay.id, {"op": "replace", "path": path, "value": "yes"})

    assert not_worldpay.status_code == 400
    assert not_worldpay.json()["message"] == [
        f"Gateway account {sandbox.id} is not worldpay gateway account for path [{path}]."
    ]
    assert no_flex.status_code == 400
    assert "3DS Flex" in no_flex.json()["message"][0]
    assert not_bool.status_code == 400
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_gateway_merchant_id_on_worldpay_credentials(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    worldpay = await insert_account(
        db_session,
        payment_provider="worldpay",
        credentials={"one_off_customer_initiated": {"merchant_code": "MC", "username": "u", "password": "p"}},
    )
    path = "credentials/gateway_merchant_id"

    ok = await _patch(connector_client, worldpay.id, {"op": "add", "path": path, "value": "0123456789abcde"})
    assert ok.status_code == 200
    frontend = (await connector_client.get(f"/v1/frontend/accounts/{worldpay.id}")).json()
    assert frontend["credentials"]["gateway_merchant_id"] == "0123456789abcde"

    before = await snapshot()
    bad = await _patch(connector_client, worldpay.id, {"op": "replace", "path": path, "value": "XYZ"})
    assert bad.status_code == 400
    assert bad.json()["message"] == [
        "Field [credentials/gateway_merchant_id] value [XYZ] does not match that expected for a Worldpay "
        "Merchant ID; should be 15 characters and within range [0-9a-f]"
    ]
    sandbox = await insert_account(db_session, service_id="s2")
    before = await snapshot()
    not_worldpay = await _patch(
        connector_client, sandbox.id, {"op": "add", "path": path, "value": "0123456789abcde"}
    )
    assert not_worldpay.status_code == 400
    assert await snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"path": "allow_moto", "value": True}, ["Field [op] is required"]),
        ({"op": "replace", "value": True}, ["Field [path] is required"]),
        ({"value": True}, ["Field [op] is required", "Field [path] is required"]),
        ({"op": "replace", "path": "allow_moto"}, ["Field [value] is required"]),
        ({"op": "replace", "path": "allow_moto", "value": None}, ["Field [value] is required"]),
        (
            {"op": "replace", "path": "service_name", "value": "x"},
            ["Operation [op] not supported for path [service_name]"],
        ),
        (
            {"op": "replace", "path": "corporate_prepaid_credit_card_surcharge_amount", "value": 1},
            ["Operation [op] not supported for path [corporate_prepaid_credit_card_surcharge_amount]"],
        ),
        (
            {"op": "add", "path": "allow_moto", "value": True},
            ["Operation [add] is not valid for path [allow_moto]"],
        ),
        ({"op": "remove", "path": "allow_moto"}, ["Operation [remove] is not valid for path [allow_moto]"]),
        (
            {"op": "REPLACE", "path": "allow_moto", "value": True},
            ["Operation [REPLACE] is not valid for path [allow_moto]"],
        ),
        (
            [{"op": "replace", "path": "allow_moto", "value": True}],
            ['The request body must be a single JSON object {"op", "path", "value"}'],
        ),
    ],
)
async def test_malformed_patches_are_400_and_change_nothing(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    body: Any,
    message: list[str],
) -> None:
    account = await insert_account(db_session)
    before = await snapshot()

    response = await _patch(connector_client, account.id, body)

    assert response.status_code == 400
    assert response.json() == {"error_identifier": "GENERIC", "message": message}
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_mixed_case_path_is_applied_to_the_canonical_field(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)

    response = await _patch(
        connector_client, account.id, {"op": "replace", "path": "Allow_Moto", "value": True}
    )

    assert response.status_code == 200
    assert (await _get(connector_client, account.id))["allow_moto"] is True


@pytest.mark.asyncio
async def test_patch_of_unknown_account_is_404(connector_client: httpx.AsyncClient) -> None:
    response = await _patch(connector_client, 424242, {"op": "replace", "path": "allow_moto", "value": True})

    assert response.status_code == 404
    assert response.json()["message"] == ["The gateway account id '424242' does not exist"]
