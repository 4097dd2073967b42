"""``POST /v1/api/accounts/{accountId}/charges/{chargeId}/resend-confirmation-email`` (connector.md §14.4).

Through the real connector app, built on settings that send to a local Notify: 204 when the
email went, 402 ``Failed to send email`` when it did not, 404 for an unknown account or charge.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.app import create_app
from connector.config import Settings
from connector.emails import repository
from connector.emails.consumer import PAYMENT_CONFIRMED
from connector.emails.service import deliver
from connector.models import Charge, GatewayAccount
from tests.connector.emails.notify_stub import NotifyService, NotifyStub, serve_notify
from tests.connector.emails.test_emails import PLATFORM_TEMPLATES, emails, notify_settings, platform_service
from tests.factories import create_account, create_charge
from tests.jobs import jobs_of
from tests.service_tokens import service_token_headers

pytestmark = pytest.mark.asyncio

PAYER = "resend.payer@example.org"
FAILED = {"error_identifier": "GENERIC", "message": ["Failed to send email"]}


@asynccontextmanager
async def connector_on(settings: Settings) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """A connector app of its own (its lifespan running) on ``settings``, and a client for it."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://connector.test", headers=service_token_headers()
        ) as client:
            yield app, client


@asynccontextmanager
async def notify_connector(
    connector_settings: Settings, platform: NotifyService | None = None
) -> AsyncIterator[tuple[NotifyStub, FastAPI, httpx.AsyncClient]]:
    """A local Notify (by default one holding the platform's templates) and a connector sending to it."""
    platform = platform or platform_service()
    async with serve_notify(platform) as stub:
        async with connector_on(notify_settings(connector_settings, stub, platform)) as (app, client):
            yield stub, app, client


async def captured(db_session: AsyncSession, **fields: Any) -> tuple[GatewayAccount, Charge]:
    account = await create_account(db_session, service_name="Parking fines")
    fields.setdefault("email", PAYER)
    charge = await create_charge(db_session, account, status="CAPTURED", reference="PCN-5", **fields)
    return account, charge


def resend_path(account_id: object, charge_id: str) -> str:
    return f"/v1/api/accounts/{account_id}/charges/{charge_id}/resend-confirmation-email"


async def test_a_resend_sends_the_confirmation_again_at_once_and_is_recorded_as_a_resend(
    connector_settings: Settings, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    account, charge = await captured(db_session, amount=1250)
    # The confirmation the event stream owed, already sent.
    assert await repository.add_owed(db_session, PAYMENT_CONFIRMED, charge.external_id) is not None
    await db_session.commit()
    async with notify_connector(connector_settings) as (stub, _, client):
        first = await client.post(resend_path(account.id, charge.external_id))
        second = await client.post(resend_path(account.id, charge.external_id))

    assert (first.status_code, first.content) == (204, b"")
    assert second.status_code == 204
    assert [(e["email_address"], e["template_id"]) for e in stub.sent] == [
        (PAYER, PLATFORM_TEMPLATES["payment-receipt"])
    ] * 2
    personalisation = stub.sent[0]["personalisation"]
    assert (personalisation["serviceReference"], personalisation["amount"]) == ("PCN-5", "12.50")
    assert personalisation["serviceName"] == "Parking fines"
    assert stub.sent[0]["reference"] == charge.external_id
    rows = await emails(db_session)
    assert [(e.source, e.kind, e.status) for e in rows] == [
        ("EVENT", PAYMENT_CONFIRMED, "PENDING"),
        ("RESEND", PAYMENT_CONFIRMED, "SENT"),
        ("RESEND", PAYMENT_CONFIRMED, "SENT"),
    ]
    assert all(e.notification_id for e in rows[1:])
    # Resends leave the event stream's uniqueness alone: a redelivered event still owes nothing.
    assert await repository.add_owed(db_session, PAYMENT_CONFIRMED, charge.external_id) is None
    await db_session.rollback()
    logged = capsys.readouterr().out
    assert "email.processed" in logged  # the sends were logged...
    assert PAYER not in logged, "an email address was logged"  # ...without the address


async def test_notify_down_is_a_402_and_the_resend_is_retried_by_its_job(
    connector_settings: Settings, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    account, charge = await captured(db_session)
    async with notify_connector(connector_settings) as (stub, app, client):
        stub.failures = [500]
        answer = await client.post(resend_path(account.id, charge.external_id))
        assert (answer.status_code, answer.json()) == (402, FAILED)
        (email,) = await emails(db_session)
        assert (email.source, email.status, email.attempts) == ("RESEND", "PENDING", 1)
        (job,) = await jobs_of(db_session, jobs.SEND_EMAIL)
        assert (job.status, job.args) == ("todo", {"email_id": email.id})
        # What the job does when it runs: Notify is back.
        assert await deliver(app.state.sessionmaker, app.state.settings, email.id) == "SENT"
    assert [e["email_address"] for e in stub.sent] == [PAYER]
    assert PAYER not in capsys.readouterr().out, "an email address was logged"


async def test_an_email_notify_refuses_is_a_402_and_not_retried(
    connector_settings: Settings, db_session: AsyncSession, capsys: pytest.CaptureFixture[str]
) -> None:
    account, charge = await captured(db_session)
    # A Notify service without the platform's receipt template: a 400, for good.
    refusing = NotifyService("pay-platform", {"some-other-template"})
    async with notify_connector(connector_settings, refusing) as (stub, _, client):
        answer = await client.post(resend_path(account.id, charge.external_id))
    assert (answer.status_code, answer.json()) == (402, FAILED)
    assert stub.sent == []
    (email,) = await emails(db_session)
    assert (email.status, email.detail) == ("FAILED", "400 Template not found")
    assert await jobs_of(db_session, jobs.SEND_EMAIL) == []
    assert PAYER not in capsys.readouterr().out, "an email address was logged"


async def test_a_charge_without_an_email_address_is_a_402(
    connector_settings: Settings, db_session: AsyncSession
) -> None:
    account, charge = await captured(db_session, email=None)
    async with notify_connector(connector_settings) as (stub, _, client):
        answer = await client.post(resend_path(account.id, charge.external_id))
    assert (answer.status_code, answer.json()) == (402, FAILED)
    assert stub.sent == []
    assert [(e.status, e.detail) for e in await emails(db_session)] == [("NOT_SENT", "no email address")]


async def test_with_email_delivery_off_a_resend_is_a_402_and_local_delivery_is_a_204(
    connector_settings: Settings, db_session: AsyncSession, connector_client: httpx.AsyncClient
) -> None:
    account, charge = await captured(db_session)
    async with connector_on(connector_settings.model_copy(update={"email_delivery": "off"})) as (_, client):
        answer = await client.post(resend_path(account.id, charge.external_id))
    assert (answer.status_code, answer.json()) == (402, FAILED)
    async with connector_on(connector_settings.model_copy(update={"email_delivery": "local"})) as (_, client):
        assert (await client.post(resend_path(account.id, charge.external_id))).status_code == 204
    (mailed,) = (await connector_client.get("/v1/api/emails/mailbox")).json()["emails"]
    assert (mailed["to"], mailed["charge_id"]) == (PAYER, charge.external_id)


async def test_an_unknown_account_or_another_accounts_charge_is_a_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charge = await captured(db_session)
    other = await create_account(db_session)

    unknown_account = await connector_client.post(resend_path(999999, charge.external_id))
    assert unknown_account.status_code == 404
    assert unknown_account.json()["message"] == ["Gateway Account with id [999999] not found."]
    not_theirs = await connector_client.post(resend_path(other.id, charge.external_id))
    assert not_theirs.status_code == 404
    assert not_theirs.json()["message"] == [f"Charge with id [{charge.external_id}] not found."]
    unknown_charge = await connector_client.post(resend_path(account.id, "nosuchcharge"))
    assert unknown_charge.json()["message"] == ["Charge with id [nosuchcharge] not found."]
    assert await emails(db_session) == []
