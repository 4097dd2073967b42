"""Idempotency-Key on charge creation (connector.md §4.4): agreement payments only, per account,
the same body replays (200, first charge, no Location), another body is 409, expired keys do not
count, and concurrent requests with one key create exactly one payment."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccount, Idempotency
from pay_common.db.base import utc_now
from tests.connector.recurring.bodies import payment_body
from tests.factories import create_account, create_agreement

pytestmark = pytest.mark.asyncio

KEY = {"Idempotency-Key": "council-tax-2024-05-user-17"}


async def _agreement_account(session: AsyncSession) -> tuple[GatewayAccount, str]:
    account = await create_account(session, recurring_enabled=True)
    agreement = await create_agreement(session, account)
    return account, agreement.external_id


async def _charges(session: AsyncSession) -> int:
    count = await session.scalar(select(func.count()).select_from(Charge)) or 0
    await session.commit()
    return count


async def test_the_same_key_and_body_answers_200_with_the_first_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, agreement_id = await _agreement_account(db_session)
    url = f"/v1/api/accounts/{account.id}/charges"

    first = await connector_client.post(url, json=payment_body(agreement_id), headers=KEY)
    # The same request, as a client would resend it: members reordered, the default language explicit.
    replay = await connector_client.post(
        url, json={"language": "en", **dict(reversed(payment_body(agreement_id).items()))}, headers=KEY
    )

    assert first.status_code == 201, first.text
    assert "location" in first.headers
    assert replay.status_code == 200, replay.text
    assert "location" not in replay.headers
    assert replay.json()["charge_id"] == first.json()["charge_id"]
    assert replay.json()["amount"] == 2046
    assert await _charges(db_session) == 1


async def test_the_same_key_with_another_body_is_409(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, agreement_id = await _agreement_account(db_session)
    url = f"/v1/api/accounts/{account.id}/charges"
    await connector_client.post(url, json=payment_body(agreement_id), headers=KEY)

    conflict = await connector_client.post(url, json=payment_body(agreement_id, amount=2047), headers=KEY)

    assert conflict.status_code == 409
    assert conflict.json() == {
        "message": ["The Idempotency-Key has already been used to create a payment"],
        "error_identifier": "IDEMPOTENCY_KEY_USED",
    }
    assert await _charges(db_session) == 1


async def test_keys_are_scoped_per_account(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, agreement_id = await _agreement_account(db_session)
    other, other_agreement = await _agreement_account(db_session)

    first = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges", json=payment_body(agreement_id), headers=KEY
    )
    second = await connector_client.post(
        f"/v1/api/accounts/{other.id}/charges", json=payment_body(other_agreement), headers=KEY
    )

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["charge_id"] != second.json()["charge_id"]


async def test_an_expired_key_makes_a_new_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, agreement_id = await _agreement_account(db_session)
    url = f"/v1/api/accounts/{account.id}/charges"
    first = await connector_client.post(url, json=payment_body(agreement_id), headers=KEY)
    await db_session.execute(
        update(Idempotency).values(created_date=utc_now() - timedelta(days=1, seconds=1))
    )
    await db_session.commit()

    again = await connector_client.post(url, json=payment_body(agreement_id, amount=999), headers=KEY)

    assert again.status_code == 201, again.text
    assert again.json()["charge_id"] != first.json()["charge_id"]
    rows = (await db_session.scalars(select(Idempotency))).all()
    assert [row.resource_external_id for row in rows] == [again.json()["charge_id"]]


async def test_web_payments_ignore_the_key_as_upstream(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    url = f"/v1/api/accounts/{account.id}/charges"
    body = {"amount": 100, "reference": "r", "description": "d", "return_url": "https://service.example/r"}

    responses = [await connector_client.post(url, json=body, headers=KEY) for _ in range(2)]

    assert [response.status_code for response in responses] == [201, 201]
    assert responses[0].json()["charge_id"] != responses[1].json()["charge_id"]
    assert (await db_session.scalars(select(Idempotency))).all() == []


async def test_fifty_concurrent_requests_with_one_key_create_exactly_one_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, agreement_id = await _agreement_account(db_session)
    url = f"/v1/api/accounts/{account.id}/charges"

    responses = await asyncio.gather(
        *(connector_client.post(url, json=payment_body(agreement_id), headers=KEY) for _ in range(50))
    )

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 49 + [201], [r.text for r in responses if r.status_code not in (200, 201)]
    assert len({response.json()["charge_id"] for response in responses}) == 1
    assert await _charges(db_session) == 1
    assert len((await db_session.scalars(select(Idempotency))).all()) == 1
