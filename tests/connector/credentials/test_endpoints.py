"""POST /v1/api/accounts/{id}/credentials and PATCH .../credentials/{credentialsId} (connector.md §14.3)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import Snapshot
from tests.factories import create_account as insert_account

WORLDPAY_ROLE = {"merchant_code": "MC", "username": "u", "password": "pw-secret"}


async def _states(client: httpx.AsyncClient, account_id: int) -> list[str]:
    account = (await client.get(f"/v1/api/accounts/{account_id}")).json()
    return [c["state"] for c in account["gateway_account_credentials"]]


async def _first_credential_id(client: httpx.AsyncClient, account_id: int) -> Any:
    account = (await client.get(f"/v1/api/accounts/{account_id}")).json()
    return account["gateway_account_credentials"][0]["gateway_account_credential_id"]


async def _patch_created_credential(
    client: httpx.AsyncClient, session: AsyncSession, operations: list[dict[str, Any]], **account: Any
) -> httpx.Response:
    """PATCH the only credential, still CREATED, of a new account."""
    created = await insert_account(session, credential_state="CREATED", **account)
    credential_id = await _first_credential_id(client, created.id)
    return await client.patch(f"/v1/api/accounts/{created.id}/credentials/{credential_id}", json=operations)


@pytest.mark.asyncio
async def test_add_stripe_credentials_to_an_account_is_entered(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)

    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/credentials",
        json={"payment_provider": "stripe", "credentials": {"stripe_account_id": "acct_9"}},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["payment_provider"] == "stripe"
    assert body["state"] == "ENTERED"
    assert body["credentials"] == {"stripe_account_id": "acct_9"}
    assert await _states(connector_client, account.id) == ["ACTIVE", "ENTERED"]


@pytest.mark.asyncio
async def test_add_worldpay_credentials_without_values_is_created(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)

    response = await connector_client.post(
        f"/v1/api/accounts/{account.id}/credentials", json={"payment_provider": "worldpay"}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "CREATED"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "Field(s) missing: [payment_provider]"),
        (
            {"payment_provider": "sandbox"},
            "Field [payment_provider] must be one of [adyen, worldpay, stripe], got [sandbox]",
        ),
        (
            {"payment_provider": "worldpay", "credentials": {"merchant_code": "x"}},
            "Field [credentials] is not allowed when creating worldpay credentials",
        ),
        ({"payment_provider": "stripe", "credentials": {}}, "Field(s) missing: [stripe_account_id]"),
    ],
)
async def test_add_credentials_validation(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    body: dict[str, Any],
    message: str,
) -> None:
    account = await insert_account(db_session)
    before = await snapshot()

    response = await connector_client.post(f"/v1/api/accounts/{account.id}/credentials", json=body)

    assert response.status_code == 400
    assert response.json()["message"] == [message]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_patch_worldpay_role_activates_the_only_credential_and_hides_the_password(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await _patch_created_credential(
        connector_client,
        db_session,
        [
            {
                "op": "replace",
                "path": "credentials/worldpay/one_off_customer_initiated",
                "value": WORLDPAY_ROLE,
            },
            {"op": "replace", "path": "credentials/gateway_merchant_id", "value": "0123456789abcde"},
            {"op": "replace", "path": "last_updated_by_user_external_id", "value": "user-1"},
        ],
        payment_provider="worldpay",
    )

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "ACTIVE"
    assert body["last_updated_by_user_external_id"] == "user-1"
    assert body["credentials"] == {
        "one_off_customer_initiated": {"merchant_code": "MC", "username": "u"},
        "gateway_merchant_id": "0123456789abcde",
    }
    assert "secret" not in response.text


@pytest.mark.asyncio
async def test_live_worldpay_credential_stays_created_without_moto(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await _patch_created_credential(
        connector_client,
        db_session,
        [
            {
                "op": "replace",
                "path": "credentials/worldpay/one_off_customer_initiated",
                "value": WORLDPAY_ROLE,
            }
        ],
        payment_provider="worldpay",
        type="LIVE",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "CREATED"


@pytest.mark.asyncio
async def test_patch_state_to_verified_with_live_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)
    added = await connector_client.post(
        f"/v1/api/accounts/{account.id}/credentials",
        json={"payment_provider": "stripe", "credentials": {"stripe_account_id": "acct_9"}},
    )
    credential_id = added.json()["gateway_account_credential_id"]

    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/credentials/{credential_id}",
        json=[{"op": "replace", "path": "state", "value": "VERIFIED_WITH_LIVE_PAYMENT"}],
    )

    assert response.status_code == 200
    assert response.json()["state"] == "VERIFIED_WITH_LIVE_PAYMENT"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("provider", "body", "message"),
    [
        (
            "stripe",
            [{"op": "add", "path": "credentials", "value": {}}],
            "Operation [add] not supported for path [credentials]",
        ),
        ("stripe", [{"op": "replace", "path": "nope", "value": 1}], "Field [path] must be one of ["),
        ("stripe", [{"op": "replace", "path": "credentials"}], "Field [value] is required"),
        (
            "worldpay",
            [{"op": "replace", "path": "credentials", "value": {"a": "b"}}],
            "Path [credentials] is not supported for worldpay",
        ),
        (
            "worldpay",
            [
                {
                    "op": "replace",
                    "path": "credentials/worldpay/recurring_customer_initiated",
                    "value": {"username": "u"},
                }
            ],
            "Field(s) missing: [merchant_code, password]",
        ),
        (
            "stripe",
            [{"op": "replace", "path": "state", "value": "ACTIVE"}],
            "Value [ACTIVE] is not valid for path [state]",
        ),
        (
            "stripe",
            {"op": "replace", "path": "state", "value": "ACTIVE"},
            "The request body must be a non-empty JSON array",
        ),
        (
            "worldpay",
            [{"op": "replace", "path": "credentials/gateway_merchant_id", "value": "XYZ"}],
            "Field [credentials/gateway_merchant_id] value [XYZ] does not match",
        ),
        # Typed credentials (gateways/credentials.py): the stored map must fit the provider.
        (
            "stripe",
            [{"op": "replace", "path": "credentials", "value": {}}],
            "Invalid stripe credentials: Field [stripe_account_id] is required",
        ),
        (
            "stripe",
            [
                {"op": "replace", "path": "last_updated_by_user_external_id", "value": "user-1"},
                {"op": "replace", "path": "credentials", "value": {"stripe_account_id": ""}},
            ],
            "Invalid stripe credentials: Field [stripe_account_id] must be a non-empty string",
        ),
        (
            "stripe",
            [{"op": "replace", "path": "credentials", "value": {"stripe_acount_id": "acct_1"}}],
            "Field(s) not recognised for stripe credentials: [stripe_acount_id]",
        ),
    ],
)
async def test_patch_credentials_validation(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    provider: str,
    body: Any,
    message: str,
) -> None:
    account = await insert_account(db_session, payment_provider=provider, credential_state="CREATED")
    credential_id = await _first_credential_id(connector_client, account.id)
    before = await snapshot()

    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/credentials/{credential_id}", json=body
    )

    assert response.status_code == 400
    assert response.json()["message"][0].startswith(message)
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_credentials_of_unknown_account_or_credential_are_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)
    patch = [{"op": "replace", "path": "last_updated_by_user_external_id", "value": "u"}]

    unknown_account = await connector_client.post(
        "/v1/api/accounts/999/credentials", json={"payment_provider": "stripe"}
    )
    unknown_credential = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/credentials/999", json=patch
    )

    assert unknown_account.status_code == 404
    assert unknown_credential.status_code == 404


@pytest.mark.asyncio
async def test_patch_stripe_credentials_of_the_right_shape_activates_the_credential(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await _patch_created_credential(
        connector_client,
        db_session,
        [{"op": "replace", "path": "credentials", "value": {"stripe_account_id": "acct_2"}}],
        payment_provider="stripe",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "ACTIVE"
    assert response.json()["credentials"] == {"stripe_account_id": "acct_2"}
