"""Card types: list, accepted set per account (connector.md §7.2)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import Snapshot
from tests.factories import create_account as insert_account


@pytest.mark.asyncio
async def test_card_types_lists_all_ten_with_labels(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.get("/v1/api/card-types")

    assert response.status_code == 200
    card_types = response.json()["card_types"]
    assert len(card_types) == 10
    visa_debit = next(c for c in card_types if c["brand"] == "visa" and c["type"] == "DEBIT")
    assert set(visa_debit) == {"id", "brand", "label", "type", "requires3ds"}
    assert visa_debit["label"] == "Visa"
    assert [c["brand"] for c in card_types if c["requires3ds"]] == ["maestro"]


@pytest.mark.asyncio
async def test_accepted_card_types_can_be_replaced(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)
    url = f"/v1/frontend/accounts/{account.id}/card-types"
    assert len((await connector_client.get(url)).json()["card_types"]) == 9
    visa = [
        str(row[0])
        for row in await db_session.execute(text("SELECT id FROM card_types WHERE brand = 'visa'"))
    ]

    response = await connector_client.post(url, json={"card_types": visa})

    assert response.status_code == 200
    accepted = (await connector_client.get(url)).json()["card_types"]
    assert sorted(c["id"] for c in accepted) == sorted(visa)
    cleared = await connector_client.post(url, json={"card_types": []})
    assert cleared.status_code == 200
    assert (await connector_client.get(url)).json()["card_types"] == []


@pytest.mark.asyncio
async def test_card_types_validation(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    url = f"/v1/frontend/accounts/{account.id}/card-types"
    maestro = str(await db_session.scalar(text("SELECT id FROM card_types WHERE brand = 'maestro'")))
    unknown = "00000000-0000-4000-8000-000000000000"
    before = await snapshot()

    not_found = await connector_client.post(url, json={"card_types": [unknown, "not-a-uuid"]})
    assert not_found.status_code == 400
    assert not_found.json()["message"] == [
        f"Accepted Card Type(s) referenced by id(s) 'not-a-uuid,{unknown}' not found"
    ]
    missing = await connector_client.post(url, json={})
    assert missing.status_code == 400
    assert missing.json()["message"] == ["The following fields are missing: [card_types]"]
    not_list = await connector_client.post(url, json={"card_types": maestro})
    assert not_list.status_code == 400
    needs_3ds = await connector_client.post(url, json={"card_types": [maestro]})
    assert needs_3ds.status_code == 409
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_card_types_of_unknown_account_are_404(connector_client: httpx.AsyncClient) -> None:
    got = await connector_client.get("/v1/frontend/accounts/999/card-types")
    posted = await connector_client.post("/v1/frontend/accounts/999/card-types", json={"card_types": []})

    assert got.status_code == 404
    assert posted.status_code == 404
    assert got.json()["message"] == ["The gateway account id '999' does not exist"]
