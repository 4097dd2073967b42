"""``POST /v1/agreements`` × every class of hostile input: the contract's P-code for the field (or
"Unable to parse JSON", P2197), never a 5xx, and nothing written (publicapi → connector → PostgreSQL)."""

from __future__ import annotations

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from tests.factories import create_account
from tests.hostile import EDGE_CLASSES, TYPE_CLASSES, Hostile, database_state, spoils
from tests.publicapi.conftest import issue_api_key

pytestmark = pytest.mark.asyncio

AGREEMENT = {"reference": "CT-1", "description": "Council tax", "user_identifier": "u-1"}


@pytest_asyncio.fixture
async def headers(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> dict[str, str]:
    account: GatewayAccount = await create_account(db_session, recurring_enabled=True)
    return {"Authorization": f"Bearer {await issue_api_key(connector_client, account.id)}"}


async def _post(client: httpx.AsyncClient, hostile: Hostile, headers: dict[str, str]) -> httpx.Response:
    content, content_headers = hostile.make(AGREEMENT)
    return await client.post("/v1/agreements", content=content, headers={**content_headers, **headers})


@pytest.mark.parametrize(("hostile", "status"), EDGE_CLASSES, ids=[h.name for h, _ in EDGE_CLASSES])
async def test_edge_classes_get_the_contract_error_and_write_nothing(
    hostile: Hostile,
    status: int,
    publicapi_client: httpx.AsyncClient,
    headers: dict[str, str],
    db_session: AsyncSession,
) -> None:
    before = await database_state(db_session, ignore=("api_keys",))

    response = await _post(publicapi_client, hostile, headers)

    if hostile.name in ("nul", "lone-surrogate"):
        assert (response.status_code, response.json()) == (
            400,
            {
                "field": "reference",
                "code": "P2102",
                "description": "Invalid attribute value: reference. Must be a valid string format",
            },
        )
    elif status in (413, 415):
        assert response.status_code == status
    elif hostile.name == "beyond-bigint":
        # Valid JSON in a member the operation does not have: ignored, as every unknown member.
        assert response.status_code == 201, response.text
    else:
        assert (response.status_code, response.json()) == (
            400,
            {"code": "P2197", "description": "Unable to parse JSON"},
        )
    if hostile.name != "beyond-bigint":
        assert await database_state(db_session, ignore=("api_keys",)) == before


#: The classes that change one of the body's fields (it has no integer, so only strings).
SPOILING = [hostile for hostile in TYPE_CLASSES if spoils(hostile, AGREEMENT)]


@pytest.mark.parametrize("hostile", SPOILING, ids=[h.name for h in SPOILING])
async def test_wrong_types_get_a_p_code_and_write_nothing(
    hostile: Hostile, publicapi_client: httpx.AsyncClient, headers: dict[str, str], db_session: AsyncSession
) -> None:
    before = await database_state(db_session, ignore=("api_keys",))

    response = await _post(publicapi_client, hostile, headers)

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "P2102"
    assert await database_state(db_session, ignore=("api_keys",)) == before
