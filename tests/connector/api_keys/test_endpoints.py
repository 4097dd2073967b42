"""Connector's key-management API (api-keys.md), over HTTP against the real app and database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import ApiKey, GatewayAccount
from pay_common import api_keys
from tests.factories import create_account

SECRET = "test-hmac-secret"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def _issue(client: httpx.AsyncClient, account_id: int | str, **extra: str) -> httpx.Response:
    body = {"account_id": str(account_id), "description": "my key", "created_by": "a@b.gov.uk", **extra}
    return await client.post("/v1/frontend/auth", json=body)


async def _resolve(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.get("/v1/api/auth", headers={"Authorization": f"Bearer {key}"})


@pytest_asyncio.fixture
async def account(db_session: AsyncSession) -> GatewayAccount:
    return await create_account(db_session)


@pytest.mark.asyncio
async def test_issued_key_is_shown_once_and_only_its_token_hash_is_stored(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account: GatewayAccount
) -> None:
    response = await _issue(connector_client, account.id)

    assert response.status_code == 200
    key = response.json()["token"]
    assert set(response.json()) == {"token"}
    assert api_keys.verify_key(key, SECRET)
    stored = (await db_session.scalars(select(ApiKey))).one()
    token = key[:-32]
    assert stored.token_hash == api_keys.token_hash(token)
    assert token not in stored.token_hash
    assert key not in stored.token_hash
    assert (stored.account_id, stored.description, stored.created_by) == (account.id, "my key", "a@b.gov.uk")
    assert stored.token_type == "CARD"
    assert stored.revoked is None
    assert stored.last_used is None


@pytest.mark.asyncio
async def test_resolving_a_key_names_its_account_and_records_the_use(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account: GatewayAccount
) -> None:
    key = (await _issue(connector_client, account.id)).json()["token"]

    response = await _resolve(connector_client, key)

    assert response.status_code == 200
    body = response.json()
    assert body["account_id"] == str(account.id)
    assert body["token_type"] == "CARD"
    stored = (await db_session.scalars(select(ApiKey))).one()
    assert body["token_link"] == stored.token_link
    await db_session.refresh(stored)
    assert stored.last_used is not None


@pytest.mark.asyncio
async def test_last_used_is_written_at_most_once_a_minute(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account: GatewayAccount
) -> None:
    key = (await _issue(connector_client, account.id)).json()["token"]
    recent = datetime.now(UTC) - timedelta(seconds=10)
    stale = datetime.now(UTC) - timedelta(minutes=5)
    await db_session.execute(update(ApiKey).values(last_used=recent))
    await db_session.commit()

    await _resolve(connector_client, key)
    stored = (await db_session.scalars(select(ApiKey))).one()
    await db_session.refresh(stored)
    assert stored.last_used == recent

    await db_session.execute(update(ApiKey).values(last_used=stale))
    await db_session.commit()
    await _resolve(connector_client, key)
    await db_session.refresh(stored)
    assert stored.last_used is not None
    assert stored.last_used > recent


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic abc",
        "bearer " + api_keys.make_key("unknown-token", SECRET),
        "Bearer " + api_keys.make_key("unknown-token", SECRET),
        "Bearer " + api_keys.make_key("unknown-token", "another-secret"),
        "Bearer short",
    ],
)
async def test_unknown_or_malformed_keys_are_401_invalid(
    connector_client: httpx.AsyncClient, account: GatewayAccount, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = await connector_client.get("/v1/api/auth", headers=headers)

    assert response.status_code == 401
    assert response.json() == {"message": "Token is invalid", "error_identifier": "AUTH_TOKEN_INVALID"}


@pytest.mark.asyncio
async def test_a_revoked_key_is_401_naming_the_token_link(
    connector_client: httpx.AsyncClient, account: GatewayAccount
) -> None:
    key = (await _issue(connector_client, account.id)).json()["token"]
    link = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"][0]["token_link"]
    revoke = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{account.id}", json={"token_link": link}
    )
    assert revoke.status_code == 200

    response = await _resolve(connector_client, key)

    assert response.status_code == 401
    assert response.json() == {
        "message": "Token has been revoked",
        "token_link": link,
        "error_identifier": "AUTH_TOKEN_REVOKED",
    }


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"description": "d"}, "Missing fields: [account_id]"),
        ({"account_id": "1"}, "Missing fields: [description]"),
        ({}, "Missing fields: [account_id, description]"),
        (None, "Missing fields: [account_id, description]"),
    ],
)
async def test_issuing_without_required_fields_is_400(
    connector_client: httpx.AsyncClient, body: dict[str, str] | None, message: str
) -> None:
    response = await connector_client.post("/v1/frontend/auth", json=body)

    assert response.status_code == 400
    assert response.json() == {"message": message}


@pytest.mark.asyncio
@pytest.mark.parametrize("account_id", ["999999", "not-a-number", "-1"])
async def test_issuing_for_an_unknown_account_is_404_and_stores_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account_id: str
) -> None:
    response = await _issue(connector_client, account_id)

    assert response.status_code == 404
    assert response.json() == {"message": f"Gateway account [{account_id}] not found"}
    assert (await db_session.scalars(select(ApiKey))).all() == []


@pytest.mark.asyncio
async def test_only_card_keys_can_be_issued(
    connector_client: httpx.AsyncClient, account: GatewayAccount
) -> None:
    assert (await _issue(connector_client, account.id, token_type="card")).status_code == 200
    response = await _issue(connector_client, account.id, token_type="DIRECT_DEBIT")
    assert response.status_code == 400
    assert response.json() == {"message": "Invalid token_type: DIRECT_DEBIT. Must be CARD"}


@pytest.mark.asyncio
async def test_listing_shows_active_keys_newest_first_and_revoked_ones_on_request(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account: GatewayAccount
) -> None:
    other = await create_account(db_session)
    await _issue(connector_client, account.id, description="first")
    await _issue(connector_client, account.id, description="second")
    await _issue(connector_client, other.id, description="other account")

    active = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"]

    assert [token["description"] for token in active] == ["second", "first"]
    token = active[1]
    assert set(token) == {"token_link", "description", "token_type", "created_by", "issued_date", "last_used"}
    assert token["token_type"] == "CARD"
    assert token["created_by"] == "a@b.gov.uk"
    assert ISO.match(token["issued_date"])
    assert token["last_used"] is None

    revoke = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{account.id}", json={"token_link": token["token_link"]}
    )
    assert ISO.match(revoke.json()["revoked"])

    active_after = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"]
    revoked = (await connector_client.get(f"/v1/frontend/auth/{account.id}?state=revoked")).json()["tokens"]
    assert [t["description"] for t in active_after] == ["second"]
    assert [t["description"] for t in revoked] == ["first"]
    assert revoked[0]["revoked"] == revoke.json()["revoked"]


@pytest.mark.asyncio
async def test_listing_an_unknown_account_is_empty_and_a_bad_state_is_400(
    connector_client: httpx.AsyncClient,
) -> None:
    assert (await connector_client.get("/v1/frontend/auth/424242")).json() == {"tokens": []}
    assert (await connector_client.get("/v1/frontend/auth/nope")).json() == {"tokens": []}
    assert (await connector_client.get("/v1/frontend/auth/1?state=expired")).status_code == 400


@pytest.mark.asyncio
async def test_updating_the_description(connector_client: httpx.AsyncClient, account: GatewayAccount) -> None:
    await _issue(connector_client, account.id)
    link = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"][0]["token_link"]

    response = await connector_client.put(
        "/v1/frontend/auth", json={"token_link": link, "description": "new"}
    )

    assert response.status_code == 200
    assert response.json()["token_link"] == link
    assert response.json()["description"] == "new"
    listed = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"]
    assert listed[0]["description"] == "new"


@pytest.mark.asyncio
async def test_updating_an_unknown_or_revoked_key_is_404_and_missing_fields_400(
    connector_client: httpx.AsyncClient, account: GatewayAccount
) -> None:
    await _issue(connector_client, account.id)
    link = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"][0]["token_link"]
    await connector_client.request("DELETE", f"/v1/frontend/auth/{account.id}", json={"token_link": link})

    for token_link in (link, "00000000-0000-0000-0000-000000000000"):
        response = await connector_client.put(
            "/v1/frontend/auth", json={"token_link": token_link, "description": "new"}
        )
        assert response.status_code == 404
        assert response.json() == {"message": "Could not update token description"}
    missing = await connector_client.put("/v1/frontend/auth", json={"description": "new"})
    assert missing.status_code == 400
    assert missing.json() == {"message": "Missing fields: [token_link]"}


@pytest.mark.asyncio
async def test_revoking_needs_the_right_account_and_happens_once(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account: GatewayAccount
) -> None:
    other = await create_account(db_session)
    key = (await _issue(connector_client, account.id)).json()["token"]
    link = (await connector_client.get(f"/v1/frontend/auth/{account.id}")).json()["tokens"][0]["token_link"]

    wrong_account = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{other.id}", json={"token_link": link}
    )
    assert wrong_account.status_code == 404
    assert wrong_account.json() == {"message": "Could not revoke token"}
    assert (await _resolve(connector_client, key)).status_code == 200

    first = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{account.id}", json={"token_link": link}
    )
    again = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{account.id}", json={"token_link": link}
    )
    assert first.status_code == 200
    assert again.status_code == 404
    missing = await connector_client.request("DELETE", f"/v1/frontend/auth/{account.id}", json={})
    assert missing.status_code == 400
    assert missing.json() == {"message": "Missing fields: [token_link]"}


@pytest.mark.asyncio
async def test_bad_input_is_a_4xx_never_a_500(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, account: GatewayAccount
) -> None:
    nul = await _issue(connector_client, account.id, description="a\x00b")
    assert nul.status_code == 400
    assert nul.json() == {"message": "Invalid description: must not contain NUL characters"}
    assert (await connector_client.post("/v1/frontend/auth", json=["not", "an", "object"])).status_code in (
        400,
        422,
    )
    assert (await connector_client.post("/v1/frontend/auth", content=b"{nope")).status_code == 400
    huge = await _issue(connector_client, "9" * 40)
    assert huge.status_code == 404
    put = await connector_client.put("/v1/frontend/auth", json={"token_link": "x\x00", "description": "d"})
    assert put.status_code == 404
    delete = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{account.id}", json={"token_link": "not-a-uuid\x00"}
    )
    assert delete.status_code == 404
    assert (await db_session.scalars(select(ApiKey))).all() == []
