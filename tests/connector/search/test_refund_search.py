"""Refund search for one account: date range, paging, each result with its payment id and links."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import Refund
from tests.factories import create_account, create_charge

pytestmark = pytest.mark.asyncio


async def test_refund_search(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account = await create_account(db_session)
    other = await create_account(db_session)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)
    foreign = await create_charge(db_session, other, status=ChargeStatus.CAPTURED, amount=1000)
    refund_ids = []
    for amount, available in ((100, 1000), (200, 900), (300, 700)):
        response = await connector_client.post(
            f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/refunds",
            json={"amount": amount, "refund_amount_available": available},
        )
        refund_ids.append(response.json()["refund_id"])
    await connector_client.post(
        f"/v1/api/accounts/{other.id}/charges/{foreign.external_id}/refunds",
        json={"amount": 100, "refund_amount_available": 1000},
    )
    for day, refund_id in zip((1, 2, 3), refund_ids, strict=True):
        await db_session.execute(
            update(Refund)
            .where(Refund.external_id == refund_id)
            .values(created_date=datetime(2024, 5, day, 9, 0, tzinfo=UTC))
        )
    await db_session.commit()
    url = f"/v1/api/accounts/{account.id}/refunds"

    everything = (await connector_client.get(url)).json()
    ranged = (
        await connector_client.get(
            url, params={"from_date": "2024-05-02T09:00:00Z", "to_date": "2024-05-03T09:00:00Z"}
        )
    ).json()
    paged = (await connector_client.get(url, params={"display_size": "2", "page": "2"})).json()
    bad = await connector_client.get(url, params={"from_date": "nope", "display_size": "0"})
    past = await connector_client.get(url, params={"page": "2"})

    assert everything["total"] == 3
    assert [r["refund_id"] for r in everything["results"]] == list(reversed(refund_ids))
    first = everything["results"][0]
    payment = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge.external_id}"
    assert first["payment_id"] == charge.external_id
    assert first["amount"] == 300
    assert first["status"] == "success"
    assert first["_links"] == {
        "self": {"href": f"{payment}/refunds/{refund_ids[2]}"},
        "payment": {"href": payment},
    }
    assert [r["refund_id"] for r in ranged["results"]] == [refund_ids[1]]
    assert paged["count"] == 1
    assert [r["refund_id"] for r in paged["results"]] == [refund_ids[0]]
    assert "prev_page" in paged["_links"]
    assert bad.status_code == 400
    assert bad.json()["message"][0].startswith("Invalid parameters: from_date, display_size.")
    assert past.status_code == 404
