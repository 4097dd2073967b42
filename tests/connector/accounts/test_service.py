"""The helpers other features import: get_account and current_credential."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.accounts.errors import AccountNotFound
from connector.accounts.service import current_credential, get_account
from connector.errors import ConnectorError
from connector.models import GatewayAccountCredential
from tests.factories import create_account as insert_account


@pytest.mark.asyncio
async def test_get_account_finds_by_id_and_raises_the_seed_404(db_session: AsyncSession) -> None:
    account = await insert_account(db_session)

    assert (await get_account(db_session, account.id)).external_id == account.external_id
    assert (await get_account(db_session, str(account.id))).id == account.id
    with pytest.raises(AccountNotFound) as raised:
        await get_account(db_session, account.id + 1)
    assert isinstance(raised.value, ConnectorError)
    assert raised.value.status_code == 404
    assert raised.value.messages == [f"The gateway account id '{account.id + 1}' does not exist"]


def _credential(
    account_id: int, state: str, started: datetime | None, external_id: str
) -> GatewayAccountCredential:
    return GatewayAccountCredential(
        external_id=external_id,
        gateway_account_id=account_id,
        payment_provider="worldpay",
        credentials={},
        state=state,
        active_start_date=started,
    )


@pytest.mark.asyncio
async def test_current_credential_is_the_only_one_whatever_its_state(db_session: AsyncSession) -> None:
    account = await insert_account(db_session, credential_state="CREATED")

    current = await current_credential(db_session, account)

    assert current is not None
    assert current.state == "CREATED"


@pytest.mark.asyncio
async def test_current_credential_is_the_latest_active_one(db_session: AsyncSession) -> None:
    account = await insert_account(db_session, credential_state="RETIRED")
    db_session.add_all(
        [
            _credential(account.id, "ACTIVE", datetime(2024, 1, 1, tzinfo=UTC), "older"),
            _credential(account.id, "ACTIVE", datetime(2025, 1, 1, tzinfo=UTC), "newer"),
            _credential(
                account.id, "VERIFIED_WITH_LIVE_PAYMENT", datetime(2026, 1, 1, tzinfo=UTC), "verified"
            ),
        ]
    )
    await db_session.commit()

    current = await current_credential(db_session, account)

    assert current is not None
    assert current.external_id == "newer"


@pytest.mark.asyncio
async def test_current_credential_is_none_without_an_active_one_among_several(
    db_session: AsyncSession,
) -> None:
    account = await insert_account(db_session, credential_state="RETIRED")
    db_session.add(_credential(account.id, "ENTERED", None, "entered"))
    await db_session.commit()

    assert await current_credential(db_session, account) is None
