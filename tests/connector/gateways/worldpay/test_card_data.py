"""No Worldpay request (the XML with the card number) is logged or stored, even at DEBUG."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.gateways.worldpay.adapter import WorldpayGateway
from tests.connector.gateways.provider_checks import card_data_is_never_kept
from tests.connector.gateways.worldpay.conftest import worldpay_account, worldpay_charge
from tests.stubs import worldpay as stub

pytestmark = pytest.mark.asyncio


@pytest.mark.parametrize(
    "number",
    [
        "4444333322221111",
        stub.REFUSED_CARD,
        stub.ERROR_CARD,
        stub.THREE_DS1_CARD,
        # The error paths log what went wrong: never with the request that carried the card.
        stub.SLOW_CARD,
        stub.HTTP_500_CARD,
    ],
)
async def test_card_number_and_cvc_are_never_logged_or_stored(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    worldpay: WorldpayGateway,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    number: str,
) -> None:
    charge = await worldpay_charge(db_session, await worldpay_account(db_session))
    await card_data_is_never_kept(connector_client, db_session, connector_app, charge, number, capfd, caplog)
