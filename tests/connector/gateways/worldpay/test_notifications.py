"""Worldpay notifications that must change nothing: forged, hostile, malformed, unknown."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.worldpay import notifications
from connector.models import Charge
from tests.connector.gateways.worldpay.conftest import worldpay_account, worldpay_charge, worldpay_credentials
from tests.factories import create_account
from tests.stubs.worldpay import notification

S = ChargeStatus
pytestmark = pytest.mark.asyncio
NOTIFY = "/v1/api/notifications/worldpay"
ORDER = "order-code-1"


async def _submitted_charge(session: AsyncSession) -> None:
    await worldpay_charge(
        session, await worldpay_account(session), status=S.CAPTURE_SUBMITTED, gateway_transaction_id=ORDER
    )


async def _status(session: AsyncSession) -> str:
    session.expire_all()
    return str(await session.scalar(select(Charge.status).where(Charge.gateway_transaction_id == ORDER)))


CAPTURED = notification("MERCHANTONEOFF", ORDER, "CAPTURED", 1000, None)
HOSTILE = {
    "internal entity": '<?xml version="1.0"?><!DOCTYPE paymentService [<!ENTITY c "CAPTURED">]>'
    f'<paymentService version="1.4" merchantCode="M"><notify><orderStatusEvent orderCode="{ORDER}">'
    '<journal journalType="&c;"/></orderStatusEvent></notify></paymentService>',
    "external entity": '<?xml version="1.0"?><!DOCTYPE paymentService [<!ENTITY c SYSTEM "file:///etc/hostname">]>'
    f'<paymentService version="1.4" merchantCode="M"><notify><orderStatusEvent orderCode="{ORDER}">'
    '<journal journalType="CAPTURED">&c;</journal></orderStatusEvent></notify></paymentService>',
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE paymentService [<!ENTITY a "lol">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    f'<paymentService version="1.4" merchantCode="M"><notify><orderStatusEvent orderCode="{ORDER}">'
    '<journal journalType="CAPTURED">&c;</journal></orderStatusEvent></notify></paymentService>',
}


@pytest.mark.parametrize("name", list(HOSTILE))
async def test_documents_declaring_entities_are_refused(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, name: str
) -> None:
    await _submitted_charge(db_session)
    response = await connector_client.post(
        NOTIFY, content=HOSTILE[name], headers={"Content-Type": "text/xml"}
    )
    assert response.status_code == 400
    assert response.content == b""
    assert await _status(db_session) == S.CAPTURE_SUBMITTED


@pytest.mark.parametrize("document", ["<paymentService><notify>", "not xml at all", "<other/>", ""])
async def test_malformed_documents_are_acknowledged_and_ignored(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, document: str
) -> None:
    await _submitted_charge(db_session)
    response = await connector_client.post(NOTIFY, content=document, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200
    assert await _status(db_session) == S.CAPTURE_SUBMITTED


async def test_source_check_refuses_a_sender_outside_the_domain(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _submitted_charge(db_session)
    settings = connector_app.state.settings
    monkeypatch.setattr(settings, "secure_worldpay_notification_enabled", True)
    names = {"203.0.113.5": "attacker.example.net.", "198.51.100.7": "notify01.worldpay.com."}

    async def fake_reverse_dns(address: str) -> str | None:
        return names.get(address)

    monkeypatch.setattr(notifications, "reverse_dns", fake_reverse_dns)
    for forwarded in ("203.0.113.5", "198.51.100.7, 203.0.113.5", "192.0.2.1"):
        response = await connector_client.post(
            NOTIFY, content=CAPTURED, headers={"Content-Type": "text/xml", "X-Forwarded-For": forwarded}
        )
        assert response.status_code == 403
        assert response.content == b""
    assert await _status(db_session) == S.CAPTURE_SUBMITTED
    # The last X-Forwarded-For entry is the one our edge saw.
    response = await connector_client.post(
        NOTIFY,
        content=CAPTURED,
        headers={"Content-Type": "text/xml", "X-Forwarded-For": "203.0.113.5, 198.51.100.7"},
    )
    assert response.status_code == 200
    assert await _status(db_session) == S.CAPTURED


async def test_source_check_uses_real_reverse_dns(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_app: FastAPI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await _submitted_charge(db_session)
    settings = connector_app.state.settings
    monkeypatch.setattr(settings, "secure_worldpay_notification_enabled", True)
    response = await connector_client.post(
        NOTIFY, content=CAPTURED, headers={"Content-Type": "text/xml", "X-Forwarded-For": "127.0.0.1"}
    )
    assert response.status_code == 403
    host = await notifications.reverse_dns("127.0.0.1")
    if host is None:
        pytest.skip("127.0.0.1 has no reverse DNS name on this machine")
    monkeypatch.setattr(settings, "secure_worldpay_notification_domain", host)
    response = await connector_client.post(
        NOTIFY, content=CAPTURED, headers={"Content-Type": "text/xml", "X-Forwarded-For": "127.0.0.1"}
    )
    assert response.status_code == 200
    assert await _status(db_session) == S.CAPTURED


async def test_unknown_order_is_acknowledged(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    await _submitted_charge(db_session)
    document = notification("MERCHANTONEOFF", "some-other-order", "CAPTURED", 1000, None)
    response = await connector_client.post(NOTIFY, content=document, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200
    assert response.text == "[OK]"
    assert await _status(db_session) == S.CAPTURE_SUBMITTED


async def test_unknown_order_of_a_telephone_account_asks_worldpay_to_retry(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    credentials = worldpay_credentials(
        one_off_customer_initiated={"merchant_code": "PHONEMERCHANT", "username": "u", "password": "p"}
    )
    await create_account(
        db_session,
        payment_provider="worldpay",
        credentials=credentials,
        allow_telephone_payment_notifications=True,
    )
    document = notification("PHONEMERCHANT", "phone-order", "CAPTURED", 1000, None)
    response = await connector_client.post(NOTIFY, content=document, headers={"Content-Type": "text/xml"})
    assert response.status_code == 403


@pytest.mark.parametrize("status", ["AUTHORISED", "SETTLED", "ERROR", "SOMETHING_NEW"])
async def test_statuses_without_an_action_change_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, status: str
) -> None:
    await _submitted_charge(db_session)
    document = notification("MERCHANTONEOFF", ORDER, status, 1000, None)
    response = await connector_client.post(NOTIFY, content=document, headers={"Content-Type": "text/xml"})
    assert response.status_code == 200
    assert await _status(db_session) == S.CAPTURE_SUBMITTED
