"""Agreement (recurring, user-not-present) payments on the sandbox (connector.md §4.2, §6.2, §11.3):
created ``created``, queued with their authorisation job in the same transaction, authorised by a
worker with the agreement's stored instrument, then captured; declines store ``can_retry``."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector import jobs
from connector.config import Settings
from connector.gateways import registry
from connector.gateways.base import AuthorisationResult, AuthorisationStatus, UserNotPresentRequest
from connector.models import Agreement, Charge, GatewayAccount, OutboxEvent, PaymentInstrument
from connector.recurring.service import authorise_with_user_not_present
from tests.connector.gateways.fakes import CountingGateway
from tests.connector.recurring.bodies import payment_body
from tests.factories import create_account, create_agreement
from tests.jobs import drain, jobs_of

pytestmark = pytest.mark.asyncio


async def _recurring_account(session: AsyncSession) -> GatewayAccount:
    return await create_account(session, recurring_enabled=True)


async def _charge(session: AsyncSession, external_id: str) -> Charge:
    charge = (await session.scalars(select(Charge).where(Charge.external_id == external_id))).one()
    await session.refresh(charge)
    await session.commit()
    return charge


async def _agreement_statuses(session: AsyncSession, agreement: Agreement) -> tuple[str, str]:
    await session.refresh(agreement)
    instrument = (
        await session.scalars(select(PaymentInstrument).where(PaymentInstrument.agreement_id == agreement.id))
    ).one()
    await session.refresh(instrument)
    await session.commit()
    return agreement.status, instrument.status


async def test_an_agreement_payment_is_queued_then_authorised_with_the_instrument_and_captured(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    url = f"/v1/api/accounts/{account.id}/charges"

    created = await connector_client.post(url, json=payment_body(agreement.external_id))

    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == {"status": "created", "finished": False}
    assert (body["authorisation_mode"], body["agreement_payment_type"]) == ("agreement", "recurring")
    assert {link["rel"] for link in body["links"]} == {"self", "refunds"}  # no payment pages
    charge_id = body["charge_id"]
    queued = await jobs_of(db_session, jobs.AUTHORISE_USER_NOT_PRESENT)
    assert [(job.status, job.args) for job in queued] == [("todo", {"charge_external_id": charge_id})]
    assert (await connector_client.get(f"{url}/{charge_id}")).json()["state"]["status"] == "started"

    await drain(connector_settings)

    view = (await connector_client.get(f"{url}/{charge_id}")).json()
    assert view["state"] == {"status": "success", "finished": True}
    assert view["card_details"]["last_digits_card_number"] == "4242"
    assert view["card_details"]["first_digits_card_number"] == "424242"
    assert view["card_details"]["cardholder_name"] == "Mr Payment"
    assert (await _charge(db_session, charge_id)).status == "CAPTURED"
    events = (await connector_client.get(f"{url}/{charge_id}/events")).json()["events"]
    statuses = [event["state"]["status"] for event in events]
    assert statuses[:3] == ["created", "started", "submitted"]
    assert statuses[-1] == "success"


async def test_a_decline_that_cannot_be_retried_ends_the_agreement(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await _recurring_account(db_session)
    # The sandbox authorises 5105105105105100 when the agreement is set up and declines it after.
    agreement = await create_agreement(
        db_session,
        account,
        instrument={"first_digits_card_number": "510510", "last_digits_card_number": "5100"},
    )
    url = f"/v1/api/accounts/{account.id}/charges"
    charge_id = (await connector_client.post(url, json=payment_body(agreement.external_id))).json()[
        "charge_id"
    ]

    await drain(connector_settings)

    state = (await connector_client.get(f"{url}/{charge_id}")).json()["state"]
    assert state == {
        "status": "failed",
        "finished": True,
        "code": "P0010",
        "message": "Payment method rejected",
        "can_retry": False,
    }
    assert await _agreement_statuses(db_session, agreement) == ("INACTIVE", "INACTIVE")
    inactivated = (
        await db_session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.resource_external_id == agreement.external_id,
                OutboxEvent.event_type == "AGREEMENT_INACTIVATED",
            )
        )
    ).one()
    assert inactivated.event_details == {"reason": "DO_NOT_RETRY"}
    again = await connector_client.post(url, json=payment_body(agreement.external_id))
    assert again.status_code == 400
    assert again.json()["error_identifier"] == "AGREEMENT_NOT_ACTIVE"


async def test_a_cancelled_agreement_refuses_payments_and_writes_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    cancelled = await connector_client.post(
        f"/v1/api/accounts/{account.id}/agreements/{agreement.external_id}/cancel"
    )
    assert cancelled.status_code == 204

    refused = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges", json=payment_body(agreement.external_id)
    )

    assert refused.status_code == 400
    assert refused.json()["error_identifier"] == "AGREEMENT_NOT_ACTIVE"
    assert "INACTIVE" not in refused.json()["message"][0]
    assert (await db_session.scalars(select(Charge))).all() == []
    assert await jobs_of(db_session, jobs.AUTHORISE_USER_NOT_PRESENT) == []


async def test_an_agreement_without_an_instrument_refuses_payments(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account, status="CREATED")
    refused = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges", json=payment_body(agreement.external_id)
    )
    assert refused.status_code == 400
    assert refused.json() == {
        "error_identifier": "AGREEMENT_NOT_ACTIVE",
        "message": [f"Agreement with ID [{agreement.external_id}] does not have a payment instrument"],
    }


async def test_a_payment_queued_before_its_agreement_was_cancelled_is_declined_without_the_gateway(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    url = f"/v1/api/accounts/{account.id}/charges"
    charge_id = (await connector_client.post(url, json=payment_body(agreement.external_id))).json()[
        "charge_id"
    ]
    await connector_client.post(f"/v1/api/accounts/{account.id}/agreements/{agreement.external_id}/cancel")

    gateway = CountingGateway()
    with registry.override("sandbox", gateway):
        await drain(connector_settings)

    charge = await _charge(db_session, charge_id)
    assert (charge.status, charge.can_retry) == ("AUTHORISATION REJECTED", False)
    assert charge.last_digits_card_number is None  # no instrument was used
    assert gateway.calls["authorise_user_not_present"] == 0


async def test_a_gateway_error_leaves_the_payment_in_error_and_the_agreement_active(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(
        db_session,
        account,
        instrument={"first_digits_card_number": "400000", "last_digits_card_number": "0119"},
    )
    url = f"/v1/api/accounts/{account.id}/charges"
    charge_id = (await connector_client.post(url, json=payment_body(agreement.external_id))).json()[
        "charge_id"
    ]

    await drain(connector_settings)

    state = (await connector_client.get(f"{url}/{charge_id}")).json()["state"]
    assert (state["status"], state["code"]) == ("error", "P0050")
    assert await _agreement_statuses(db_session, agreement) == ("ACTIVE", "ACTIVE")


async def test_a_retried_job_authorises_once(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    connector_app: FastAPI,
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    url = f"/v1/api/accounts/{account.id}/charges"
    charge_id = (await connector_client.post(url, json=payment_body(agreement.external_id))).json()[
        "charge_id"
    ]
    counting = CountingGateway()
    with registry.override("sandbox", counting):
        await drain(connector_settings)
        again = await authorise_with_user_not_present(
            connector_app.state.sessionmaker, connector_settings, charge_id
        )

    assert again is None
    assert counting.calls["authorise_user_not_present"] == 1
    assert (await _charge(db_session, charge_id)).status == "CAPTURED"


class _ChallengingGateway(CountingGateway):
    """A provider that asks for 3-D Secure on an agreement payment (Worldpay and Stripe can)."""

    async def authorise_user_not_present(self, request: UserNotPresentRequest) -> AuthorisationResult:
        await super().authorise_user_not_present(request)
        return AuthorisationResult(
            AuthorisationStatus.REQUIRES_3DS, gateway_transaction_id="tx-3ds", issuer_url_3ds="https://acs"
        )


async def test_a_challenge_on_an_agreement_payment_is_an_error_not_a_wait_for_the_payer(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    account = await _recurring_account(db_session)
    agreement = await create_agreement(db_session, account)
    url = f"/v1/api/accounts/{account.id}/charges"
    charge_id = (await connector_client.post(url, json=payment_body(agreement.external_id))).json()[
        "charge_id"
    ]

    with registry.override("sandbox", _ChallengingGateway()):
        await drain(connector_settings)

    charge = await _charge(db_session, charge_id)
    assert charge.status == "AUTHORISATION ERROR"
    assert not charge.requires_3ds
