"""Seeds 000/001, secure-redirect tokens (``/v1/frontend/tokens/...``)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus as S
from connector.models import Token
from tests.connector.seed_examples.arrange import seed_account, seed_token
from tests.connector.seed_examples.expect import assert_answers
from tests.connector.seed_examples.test_charges import frontend_gateway_account
from tests.factories import create_charge

TOKEN = "a69a2cf3-d5d1-408f-b196-4b716767b507"
INVALID = {"error_identifier": "GENERIC", "message": ["Token invalid!"]}
# The seeds dump the connector's internal charge entity (camelCase, "externalId", "returnUrl",
# Java date objects); the payment pages read the frontend charge view (connector.md §5.2), whose
# snake_case members carry the same values (decisions.md).
CHARGE = {
    "charge_id": "gdasul2u207vkb3eatam97975j",
    "amount": 1000,
    "status": "ENTERING CARD DETAILS",
    "return_url": "https://www.payments.service.gov.uk",
    "description": "my payment",
    "reference": "my payment reference",
    "language": "en",
    "delayed_capture": False,
    "gateway_account": frontend_gateway_account(
        "My service",
        allow_google_pay=False,
        allow_apple_pay=False,
        allow_zero_amount=False,
        integration_version_3ds=1,
        email_collection_mode="MANDATORY",
    ),
}


async def _arrange(session: AsyncSession, token: str = TOKEN) -> None:
    account = await seed_account(session, 1, service_name="My service", analytics_id=None)
    charge = await create_charge(
        session,
        account,
        external_id="gdasul2u207vkb3eatam97975j",
        status=S.ENTERING_CARD_DETAILS,
        return_url="https://www.payments.service.gov.uk",
        description="my payment",
        reference="my payment reference",
    )
    await seed_token(session, charge, token)


@pytest.mark.asyncio
async def test_get_token(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    assert_answers(await connector_client.get(f"/v1/frontend/tokens/{TOKEN}"), 404, INVALID)
    await _arrange(db_session)

    response = await connector_client.get(f"/v1/frontend/tokens/{TOKEN}")

    assert_answers(response, 200, {"used": False, "charge": CHARGE})
    assert len(response.json()["charge"]["gateway_account"]["card_types"]) == 9


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [TOKEN, "2344"], ids=["000", "001"])
async def test_get_token_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, token: str
) -> None:
    # Seed 001's failure answer is "Token has expired!"; 000 (the newer) and connector.md §5.2 say
    # "Token invalid!", which the payment pages expect.
    assert_answers(await connector_client.get(f"/v1/frontend/tokens/{token}/charge"), 404, INVALID)
    await _arrange(db_session, token)

    response = await connector_client.get(f"/v1/frontend/tokens/{token}/charge")

    assert_answers(response, 200, CHARGE)


@pytest.mark.asyncio
async def test_mark_token_used(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    assert_answers(await connector_client.post(f"/v1/frontend/tokens/{TOKEN}/used"), 404, INVALID)
    await _arrange(db_session)

    assert_answers(await connector_client.post(f"/v1/frontend/tokens/{TOKEN}/used"), 204)

    assert (await connector_client.get(f"/v1/frontend/tokens/{TOKEN}")).json()["used"] is True


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [TOKEN, "32344"], ids=["000", "001"])
async def test_delete_token(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, token: str
) -> None:
    """Seed 001's example line says ``GET /v1/frontend/tokens/32344`` under the DELETE heading; the
    heading is the endpoint. An unknown token is a 204 too."""
    await _arrange(db_session)

    assert_answers(await connector_client.delete(f"/v1/frontend/tokens/{token}"), 204)

    remaining = (await db_session.scalars(select(Token.secure_redirect_token))).all()
    assert remaining == ([] if token == TOKEN else [TOKEN])
