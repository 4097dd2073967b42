"""No bad input gets a 500 from any endpoint of the charge lifecycle, and none changes the charge."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from tests.connector.authorisation.cards import card_body
from tests.factories import create_account, create_charge

ODD_IDS = ["%00", "a%00b", "x" * 5000, "%F0%9F%92%B3", "..", "'; drop table charges; --"]
ODD_ACCOUNTS = ["%00", "²", "99999999999999999999999", "-1", "1.5"]
ODD_BODIES: list[bytes] = [
    b"",
    b"{",
    b"null",
    b"[]",
    b"12",
    b'{"card_number": {"nested": true}}',
    b'{"new_status": ["ENTERING CARD DETAILS"]}',
    b'{"cardholder_name": "\\u0000"}',
    b'{"op": "replace", "path": "email", "value": "a\\u0000@b.c"}',
    b'{"pa_response": 1e400}',
    '{"cardholder_name": "\u00e9\u00e8"}'.encode(),
    b"\xff\xfe",
]
FRONTEND = [
    ("PUT", "/status"),
    ("PATCH", ""),
    ("POST", "/cards"),
    ("POST", "/3ds"),
    ("POST", "/capture"),
    ("POST", "/cancel"),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("method", "suffix"), FRONTEND)
async def test_frontend_endpoints_never_500(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, method: str, suffix: str
) -> None:
    charge = await create_charge(
        db_session, await create_account(db_session), status=ChargeStatus.ENTERING_CARD_DETAILS
    )
    headers = {"content-type": "application/json"}
    # /capture and /cancel take no body: on the real charge they would legitimately act.
    ids = ODD_IDS if suffix in ("/capture", "/cancel") else [*ODD_IDS, charge.external_id]
    for charge_id in ids:
        for body in ODD_BODIES:
            response = await connector_client.request(
                method, f"/v1/frontend/charges/{charge_id}{suffix}", content=body, headers=headers
            )
            assert 400 <= response.status_code < 500, (charge_id[:20], body, response.text)
    # An unfinished card entry is still possible after all that.
    response = await connector_client.post(
        f"/v1/frontend/charges/{charge.external_id}/cards", json=card_body()
    )
    assert response.json() == {"status": "AUTHORISATION SUCCESS"}


@pytest.mark.asyncio
@pytest.mark.parametrize("action", ["cancel", "capture"])
async def test_api_endpoints_never_500(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, action: str
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account)
    for account_id in [*ODD_ACCOUNTS, str(account.id)]:
        for charge_id in ODD_IDS:
            response = await connector_client.post(
                f"/v1/api/accounts/{account_id}/charges/{charge_id}/{action}"
            )
            assert response.status_code == 404, (account_id, charge_id[:20], response.text)
    for account_id in ODD_ACCOUNTS:
        response = await connector_client.post(
            f"/v1/api/accounts/{account_id}/charges/{charge.external_id}/{action}"
        )
        assert response.status_code == 404
    await db_session.refresh(charge)
    assert charge.status == ChargeStatus.CREATED
