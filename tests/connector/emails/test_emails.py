"""The payer's emails, through GOV.UK Notify's official client to a local Notify (connector.md §14.4)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.config import Settings
from connector.emails.notify import NotifyUnavailable
from connector.emails.service import deliver
from connector.models import PaymentEmail
from tests.connector.emails.notify_stub import NotifyService, NotifyStub, serve_notify
from tests.factories import create_account
from tests.frontend.conftest import PaymentFactory, pay_through_pages
from tests.jobs import drain

PLATFORM_TEMPLATES = {"payment-receipt": "platform-receipt-template", "refund": "platform-refund-template"}


def notify_settings(connector_settings: Settings, stub: NotifyStub, platform: NotifyService) -> Settings:
    return connector_settings.model_copy(
        update={
            "email_delivery": "notify",
            "notify_base_url": stub.url,
            "notify_api_key": SecretStr(platform.api_key),
            "notify_payment_receipt_email_template_id": PLATFORM_TEMPLATES["payment-receipt"],
            "notify_refund_issued_email_template_id": PLATFORM_TEMPLATES["refund"],
        }
    )


def platform_service() -> NotifyService:
    return NotifyService("pay-platform", set(PLATFORM_TEMPLATES.values()))


async def emails(session: AsyncSession) -> list[PaymentEmail]:
    query = select(PaymentEmail).order_by(PaymentEmail.id).execution_options(populate_existing=True)
    found = list((await session.scalars(query)).all())
    await session.commit()
    return found


async def refund(
    client: httpx.AsyncClient, account_id: int, charge_id: str, amount: int, available: int
) -> None:
    answer = await client.post(
        f"/v1/api/accounts/{account_id}/charges/{charge_id}/refunds",
        json={"amount": amount, "refund_amount_available": available},
    )
    assert answer.status_code == 202, answer.text


@pytest.mark.asyncio
async def test_payment_and_refund_emails_reach_notify_with_the_templates_personalisation(
    connector_settings: Settings,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    account = await create_account(
        db_session, service_name="Parking fines", corporate_credit_card_surcharge_amount=0
    )
    platform = platform_service()
    async with serve_notify(platform) as stub:
        settings = notify_settings(connector_settings, stub, platform)
        payment = await new_payment(
            account, amount=1234, reference="PCN-77", description="Pay your parking fine"
        )
        assert (await pay_through_pages(browser, payment)).status_code == 303
        await drain(settings)
        await refund(connector_client, account.id, payment.charge_id, 234, 1234)
        await drain(settings)

    assert [e["template_id"] for e in stub.sent] == [
        PLATFORM_TEMPLATES["payment-receipt"],
        PLATFORM_TEMPLATES["refund"],
    ]
    receipt, refunded = stub.sent
    assert receipt["email_address"] == "jane@example.org"
    assert receipt["service"] == "pay-platform"
    personalisation: dict[str, Any] = receipt["personalisation"]
    assert personalisation["serviceReference"] == "PCN-77"
    assert personalisation["amount"] == "12.34"
    assert personalisation["description"] == "Pay your parking fine"
    assert personalisation["serviceName"] == "Parking fines"
    assert personalisation["customParagraph"] == ""
    assert personalisation["corporateCardSurcharge"] == ""
    assert personalisation["date"].endswith(tuple(f":{s:02d}" for s in range(60)))
    assert refunded["personalisation"]["amount"] == "2.34"
    assert refunded["personalisation"]["serviceReference"] == "PCN-77"
    assert [e.status for e in await emails(db_session)] == ["SENT", "SENT"]
    assert "jane@example.org" not in capsys.readouterr().out, "an email address was logged"


@pytest.mark.asyncio
async def test_an_accounts_own_notify_settings_and_custom_paragraph_are_used(
    connector_settings: Settings,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    own = NotifyService("council", {"council-receipt"})
    platform = platform_service()
    account = await create_account(
        db_session,
        notify_settings={
            "api_token": own.api_key,
            "template_id": "council-receipt",
            "refund_issued_template_id": "x",
        },
    )
    for path, value in (("template_body", "Quote $reference when you call."), ("enabled", "true")):
        patch = {"op": "replace", "path": f"/payment_confirmed/{path}", "value": value}
        answer = await connector_client.patch(f"/v1/api/accounts/{account.id}/email-notification", json=patch)
        assert answer.status_code == 200
    async with serve_notify(platform, own) as stub:
        payment = await new_payment(account, reference="LIC-9")
        assert (await pay_through_pages(browser, payment)).status_code == 303
        await drain(notify_settings(connector_settings, stub, platform))
    assert [(e["service"], e["template_id"]) for e in stub.sent] == [("council", "council-receipt")]
    assert stub.sent[0]["personalisation"]["customParagraph"] == "^ Quote LIC-9 when you call."


@pytest.mark.asyncio
async def test_switching_the_confirmation_off_stops_it(
    connector_settings: Settings,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    account = await create_account(db_session)
    patch = {"op": "replace", "path": "/payment_confirmed/enabled", "value": "false"}
    assert (
        await connector_client.patch(f"/v1/api/accounts/{account.id}/email-notification", json=patch)
    ).status_code == 200
    platform = platform_service()
    async with serve_notify(platform) as stub:
        payment = await new_payment(account)
        assert (await pay_through_pages(browser, payment)).status_code == 303
        await drain(notify_settings(connector_settings, stub, platform))
    assert stub.sent == []
    assert [(e.status, e.detail) for e in await emails(db_session)] == [
        ("NOT_SENT", "switched off for the account")
    ]


@pytest.mark.asyncio
async def test_notify_down_is_retried_and_never_fails_the_payment(
    connector_app: FastAPI,
    connector_settings: Settings,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    account = await create_account(db_session)
    platform = platform_service()
    async with serve_notify(platform) as stub:
        settings = notify_settings(connector_settings, stub, platform)
        stub.failures = [500, 429]
        payment = await new_payment(account)
        assert (await pay_through_pages(browser, payment)).status_code == 303
        await drain(settings)  # the capture and the first email attempt (500)
        charge = (
            await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{payment.charge_id}")
        ).json()
        assert charge["state"]["status"] == "success"
        (email,) = await emails(db_session)
        assert (email.status, email.attempts) == ("PENDING", 1)
        with pytest.raises(NotifyUnavailable):  # the job's retry: rate limited
            await deliver(connector_app.state.sessionmaker, settings, email.id)
        assert await deliver(connector_app.state.sessionmaker, settings, email.id) == "SENT"
    assert len(stub.sent) == 1
    (email,) = await emails(db_session)
    assert (email.status, email.attempts) == ("SENT", 3)


@pytest.mark.asyncio
async def test_a_template_notify_does_not_know_fails_for_good(
    connector_settings: Settings,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    account = await create_account(db_session)
    platform = NotifyService("pay-platform", {"some-other-template"})
    async with serve_notify(platform) as stub:
        payment = await new_payment(account)
        assert (await pay_through_pages(browser, payment)).status_code == 303
        await drain(notify_settings(connector_settings, stub, platform))
    (email,) = await emails(db_session)
    assert (email.status, email.detail) == ("FAILED", "400 Template not found")


@pytest.mark.asyncio
async def test_without_notify_the_confirmation_lands_in_the_local_mailbox(
    connector_settings: Settings,
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    browser: httpx.AsyncClient,
    new_payment: PaymentFactory,
) -> None:
    account = await create_account(db_session, service_name="Demo service")
    payment = await new_payment(account, reference="DEMO-1")
    assert (await pay_through_pages(browser, payment)).status_code == 303
    await drain(connector_settings.model_copy(update={"email_delivery": "local"}))
    mailbox = (await connector_client.get("/v1/api/emails/mailbox")).json()["emails"]
    assert len(mailbox) == 1
    assert mailbox[0]["to"] == "jane@example.org"
    assert mailbox[0]["kind"] == "PAYMENT_CONFIRMED"
    assert mailbox[0]["personalisation"]["serviceReference"] == "DEMO-1"
    assert mailbox[0]["personalisation"]["serviceName"] == "Demo service"
