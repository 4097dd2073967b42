"""Stripe setup checklist and Stripe account id (seed 000)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import Snapshot
from tests.factories import create_account as insert_account

ALL_FALSE = {
    "bank_account": False,
    "responsible_person": False,
    "director": False,
    "vat_number": False,
    "company_number": False,
    "organisation_details": False,
    "government_entity_document": False,
}


@pytest.mark.asyncio
async def test_stripe_setup_starts_empty_and_records_tasks(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(
        db_session, payment_provider="stripe", credentials={"stripe_account_id": "acct_1"}
    )
    url = f"/v1/api/accounts/{account.id}/stripe-setup"

    assert (await connector_client.get(url)).json() == ALL_FALSE

    response = await connector_client.post(
        url,
        json=[
            {"op": "replace", "path": "bank_account", "value": True},
            {"op": "replace", "path": "responsible_person", "value": False},
            {"op": "replace", "path": "organisation_details", "value": True},
        ],
    )
    assert response.status_code == 200
    assert (await connector_client.get(url)).json() == ALL_FALSE | {
        "bank_account": True,
        "organisation_details": True,
    }

    # Setting a task twice is harmless; setting it false undoes it.
    await connector_client.post(url, json=[{"op": "replace", "path": "bank_account", "value": True}])
    await connector_client.post(url, json=[{"op": "replace", "path": "organisation_details", "value": False}])
    assert (await connector_client.get(url)).json() == ALL_FALSE | {"bank_account": True}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            [{"op": "add", "path": "bank_account", "value": True}],
            "Operation [add] not supported for path [bank_account]",
        ),
        (
            [{"op": "replace", "path": "bank_account", "value": "yes"}],
            "Value for path [bank_account] must be a boolean",
        ),
        ([{"op": "replace", "path": "blood_sample", "value": True}], "Field [path] must be one of ["),
        ([{"path": "bank_account", "value": True}], "Field [op] is required"),
        (
            {"op": "replace", "path": "bank_account", "value": True},
            "The request body must be a non-empty JSON array",
        ),
        (
            [
                {"op": "replace", "path": "bank_account", "value": True},
                {"op": "replace", "path": "director", "value": 1},
            ],
            "Value for path [director] must be a boolean",
        ),
    ],
)
async def test_stripe_setup_validation_writes_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot, body: Any, message: str
) -> None:
    account = await insert_account(db_session, payment_provider="stripe")
    before = await snapshot()

    response = await connector_client.post(f"/v1/api/accounts/{account.id}/stripe-setup", json=body)

    assert response.status_code == 400
    assert response.json()["message"][0].startswith(message)
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_stripe_endpoints_are_404_for_unknown_or_non_stripe_accounts(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    sandbox = await insert_account(db_session)
    patch = [{"op": "replace", "path": "bank_account", "value": True}]

    for account_id in (sandbox.id, 424242):
        for method, suffix, body in (
            ("GET", "stripe-setup", None),
            ("POST", "stripe-setup", patch),
            ("GET", "stripe-account", None),
        ):
            response = await connector_client.request(
                method, f"/v1/api/accounts/{account_id}/{suffix}", json=body
            )
            assert response.status_code == 404, (account_id, suffix)


@pytest.mark.asyncio
async def test_stripe_account_id(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    with_id = await insert_account(
        db_session, payment_provider="stripe", credentials={"stripe_account_id": "acct_123"}
    )
    without = await insert_account(db_session, payment_provider="stripe", service_id="other")

    found = await connector_client.get(f"/v1/api/accounts/{with_id.id}/stripe-account")
    missing = await connector_client.get(f"/v1/api/accounts/{without.id}/stripe-account")

    assert found.status_code == 200
    assert found.json() == {"stripe_account_id": "acct_123"}
    assert missing.status_code == 404
    assert "no Stripe account credentials" in missing.json()["message"][0]
