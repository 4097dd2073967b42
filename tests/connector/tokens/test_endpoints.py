"""One-time secure-redirect tokens (connector.md §5.2) through HTTP, and the expiry sweep's deletion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import Charge, GatewayAccount, Token
from connector.tokens.repository import create_for_charge, delete_expired_tokens
from tests.factories import create_account, create_charge

TOKEN_INVALID = {"error_identifier": "GENERIC", "message": ["Token invalid!"]}
UNKNOWN = "3c9fa4e8-5c1b-4c1c-9a49-8f1c2d3e4f50"


async def new_token(session: AsyncSession, charge: Charge) -> str:
    token = await create_for_charge(session, charge)
    await session.commit()
    return token.secure_redirect_token


async def web_charge_token(session: AsyncSession) -> tuple[GatewayAccount, Charge, str]:
    account = await create_account(session)
    charge = await create_charge(session, account, status=ChargeStatus.CREATED)
    return account, charge, await new_token(session, charge)


@pytest.mark.asyncio
async def test_the_token_issued_on_create_leads_to_its_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    created = (
        await connector_client.post(
            f"/v1/api/accounts/{account.id}/charges",
            json={"amount": 500, "description": "d", "reference": "r", "return_url": "https://a.gov.uk/x"},
        )
    ).json()
    token = created["links"][3]["params"]["chargeTokenId"]

    response = await connector_client.get(f"/v1/frontend/tokens/{token}")

    assert response.status_code == 200
    answer = response.json()
    assert answer["used"] is False
    assert answer["charge"]["charge_id"] == created["charge_id"]
    assert answer["charge"]["status"] == "CREATED"
    assert answer["charge"]["gateway_account"]["gateway_account_id"] == account.id


@pytest.mark.asyncio
async def test_a_used_token_is_still_answered_with_used_true(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    _, charge, token = await web_charge_token(db_session)

    marked = await connector_client.post(f"/v1/frontend/tokens/{token}/used")
    response = await connector_client.get(f"/v1/frontend/tokens/{token}")

    assert marked.status_code == 204
    assert marked.content == b""
    assert response.status_code == 200
    assert response.json()["used"] is True
    assert response.json()["charge"]["charge_id"] == charge.external_id
    assert await db_session.scalar(select(Token.used).where(Token.secure_redirect_token == token)) is True


@pytest.mark.asyncio
async def test_token_charge_answers_the_frontend_view_of_the_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    _, charge, token = await web_charge_token(db_session)

    response = await connector_client.get(f"/v1/frontend/tokens/{token}/charge")

    assert response.status_code == 200
    assert response.json()["charge_id"] == charge.external_id
    assert response.json()["status"] == "CREATED"
    assert [link["rel"] for link in response.json()["links"]] == ["self", "cardAuth", "cardCapture"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("GET", "/charge"), ("POST", "/used")], ids=["get", "charge", "used"]
)
async def test_an_unknown_token_is_404_token_invalid(
    connector_client: httpx.AsyncClient, method: str, suffix: str
) -> None:
    response = await connector_client.request(method, f"/v1/frontend/tokens/{UNKNOWN}{suffix}")

    assert response.status_code == 404
    assert response.json() == TOKEN_INVALID


@pytest.mark.asyncio
async def test_moto_api_tokens_are_hidden_from_the_payment_pages(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, allow_authorisation_api=True)
    charge = await create_charge(
        db_session, account, authorisation_mode="MOTO_API", moto=True, return_url=None
    )
    token = await new_token(db_session, charge)

    for suffix in ("", "/charge"):
        response = await connector_client.get(f"/v1/frontend/tokens/{token}{suffix}")
        assert response.status_code == 404
        assert response.json() == TOKEN_INVALID


@pytest.mark.asyncio
async def test_delete_removes_the_token_and_is_204_even_when_unknown(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    _, charge, token = await web_charge_token(db_session)
    kept = await new_token(db_session, charge)

    deleted = await connector_client.delete(f"/v1/frontend/tokens/{token}")
    again = await connector_client.delete(f"/v1/frontend/tokens/{token}")
    unknown = await connector_client.delete(f"/v1/frontend/tokens/{UNKNOWN}")
    after = await connector_client.get(f"/v1/frontend/tokens/{token}")

    assert (deleted.status_code, again.status_code, unknown.status_code) == (204, 204, 204)
    assert after.status_code == 404
    remaining = (await db_session.scalars(select(Token.secure_redirect_token))).all()
    assert remaining == [kept]


@pytest.mark.asyncio
async def test_the_sweep_deletes_tokens_older_than_the_window_used_or_not(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    now = datetime.now(UTC)
    window = 7 * 24 * 3600
    old = await create_charge(db_session, account, created_date=now - timedelta(seconds=window + 60))
    young = await create_charge(db_session, account, created_date=now - timedelta(seconds=window - 60))
    old_tokens = [await new_token(db_session, old), await new_token(db_session, old)]
    young_token = await new_token(db_session, young)
    await connector_client.post(f"/v1/frontend/tokens/{old_tokens[0]}/used")

    deleted = await delete_expired_tokens(db_session, window_seconds=window, now=now)
    await db_session.commit()

    assert deleted == 2
    assert (await db_session.scalars(select(Token.secure_redirect_token))).all() == [young_token]
