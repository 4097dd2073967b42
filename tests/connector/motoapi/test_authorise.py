"""POST /v1/api/charges/authorise (MOTO API): outcomes, token rules, card checks, what is written."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from structlog.testing import capture_logs

from connector import jobs
from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.models import CardType, Charge, ChargeEvent, GatewayAccount, Token, accepted_card_types
from tests.connector.gateways.fakes import CountingGateway
from tests.connector.motoapi.moto import AUTHORISE, card, create_moto_charge, mentions
from tests.factories import create_account, create_charge
from tests.jobs import jobs_of

pytestmark = pytest.mark.asyncio
S = ChargeStatus


async def _moto_account(session: AsyncSession, **fields: Any) -> GatewayAccount:
    return await create_account(session, allow_authorisation_api=True, **fields)


async def _charge(session: AsyncSession, external_id: str) -> Charge:
    charge = await session.scalar(
        select(Charge).where(Charge.external_id == external_id).execution_options(populate_existing=True)
    )
    assert charge is not None
    await session.commit()  # end the read: the next look sees new commits
    return charge


async def _statuses(session: AsyncSession, external_id: str) -> list[str]:
    charge = await _charge(session, external_id)
    rows = await session.scalars(
        select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id).order_by(ChargeEvent.id)
    )
    statuses = list(rows)
    await session.commit()
    return statuses


async def _token_used(session: AsyncSession, token: str) -> bool:
    used = await session.scalar(select(Token.used).where(Token.secure_redirect_token == token))
    await session.commit()
    assert used is not None
    return used


def _error(response: httpx.Response) -> tuple[int, str, list[str]]:
    body = response.json()
    return response.status_code, body["error_identifier"], body["message"]


# --- outcomes -------------------------------------------------------------------------------


async def test_an_authorised_card_queues_the_payment_for_capture(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)

    response = await connector_client.post(AUTHORISE, json=card(token))

    assert response.status_code == 204, response.text
    assert response.content == b""
    stored = await _charge(db_session, charge_id)
    assert stored.status == S.CAPTURE_QUEUED
    assert (stored.first_digits_card_number, stored.last_digits_card_number) == ("424242", "4242")
    assert (stored.card_brand, stored.cardholder_name, stored.expiry_date) == ("visa", "Joe Boggs", "09/39")
    assert stored.gateway_transaction_id
    assert await _statuses(db_session, charge_id) == [
        "CREATED",
        "AUTHORISATION READY",
        "AUTHORISATION SUCCESS",
        "CAPTURE QUEUED",
    ]
    assert await _token_used(db_session, token)
    [job] = await jobs_of(db_session, jobs.CAPTURE_CHARGE)
    assert job.args == {"charge_external_id": charge_id}


async def test_a_delayed_capture_payment_awaits_the_services_capture_request(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account, delayed_capture=True)

    assert (await connector_client.post(AUTHORISE, json=card(token))).status_code == 204

    assert (await _charge(db_session, charge_id)).status == S.AWAITING_CAPTURE_REQUEST
    view = (await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge_id}")).json()
    assert view["state"] == {"status": "capturable", "finished": False}
    assert "auth_url_post" not in [link["rel"] for link in view["links"]]


@pytest.mark.parametrize(
    ("number", "code", "identifier", "message", "status"),
    [
        (
            "4000000000000002",
            402,
            "AUTHORISATION_REJECTED",
            "The payment was rejected",
            S.AUTHORISATION_REJECTED,
        ),
        (
            "4000000000000119",
            500,
            "AUTHORISATION_ERROR",
            "There was an error authorising the payment",
            S.AUTHORISATION_ERROR,
        ),
    ],
)
async def test_a_declined_or_failed_authorisation_is_reported_and_recorded(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    number: str,
    code: int,
    identifier: str,
    message: str,
    status: ChargeStatus,
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)

    response = await connector_client.post(AUTHORISE, json=card(token, card_number=number))

    assert _error(response) == (code, identifier, [message])
    assert (await _charge(db_session, charge_id)).status == status
    assert await jobs_of(db_session, jobs.CAPTURE_CHARGE) == []


async def test_a_gateway_slower_than_the_deadline_is_a_timeout(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    connector_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_settings, "synchronous_auth_timeout_seconds", 0.05)
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)

    with registry.override("sandbox", CountingGateway(delay=30)):
        response = await connector_client.post(AUTHORISE, json=card(token))

    assert _error(response) == (500, "AUTHORISATION_TIMEOUT", ["Authorising the payment timed out"])
    assert (await _charge(db_session, charge_id)).status == S.AUTHORISATION_TIMEOUT


# --- the one-time token ---------------------------------------------------------------------


async def test_a_used_token_is_refused_and_changes_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)
    assert (await connector_client.post(AUTHORISE, json=card(token))).status_code == 204
    before = await _statuses(db_session, charge_id)

    again = await connector_client.post(AUTHORISE, json=card(token))

    assert _error(again) == (400, "ONE_TIME_TOKEN_ALREADY_USED", ["The one_time_token has already been used"])
    assert await _statuses(db_session, charge_id) == before


async def test_every_token_of_the_payment_is_used_up_by_its_authorisation(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    """Each read of an unfinished moto_api charge mints a new token; any one of them authorises,
    and then none of the others can."""
    account = await _moto_account(db_session)
    charge_id, first = await create_moto_charge(connector_client, account)
    view = (await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge_id}")).json()
    [second] = [link["params"]["one_time_token"] for link in view["links"] if link["rel"] == "auth_url_post"]
    assert second != first

    assert (await connector_client.post(AUTHORISE, json=card(second))).status_code == 204
    response = await connector_client.post(AUTHORISE, json=card(first))

    assert _error(response)[:2] == (400, "ONE_TIME_TOKEN_ALREADY_USED")


async def test_an_unknown_token_is_invalid(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.post(AUTHORISE, json=card("no-such-token"))

    assert _error(response) == (400, "ONE_TIME_TOKEN_INVALID", ["The one_time_token is not valid"])


async def test_a_payment_pages_token_is_not_a_moto_api_token(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session)
    created = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges",
        json={"amount": 100, "reference": "R", "description": "D", "return_url": "https://s.example/r"},
    )
    [link] = [link for link in created.json()["links"] if link["rel"] == "next_url_post"]

    response = await connector_client.post(AUTHORISE, json=card(link["params"]["chargeTokenId"]))

    assert _error(response) == (
        400,
        "ONE_TIME_TOKEN_INVALID",
        ["The one_time_token is not a valid moto api token"],
    )
    assert not await _token_used(db_session, link["params"]["chargeTokenId"])


async def test_the_token_of_a_cancelled_payment_authorises_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)
    cancel = await connector_client.post(f"/v1/api/accounts/{account.id}/charges/{charge_id}/cancel")
    assert cancel.status_code == 204

    response = await connector_client.post(AUTHORISE, json=card(token))

    assert _error(response)[:2] == (400, "ONE_TIME_TOKEN_INVALID")
    assert (await _charge(db_session, charge_id)).status == S.SYSTEM_CANCELLED


async def test_twenty_concurrent_requests_with_one_token_authorise_once(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)
    gateway = CountingGateway()

    with registry.override("sandbox", gateway):
        responses = await asyncio.gather(
            *(connector_client.post(AUTHORISE, json=card(token)) for _ in range(20))
        )

    codes = sorted(response.status_code for response in responses)
    assert codes == [204] + [400] * 19
    refusals = {response.json()["error_identifier"] for response in responses if response.status_code == 400}
    assert refusals == {"ONE_TIME_TOKEN_ALREADY_USED"}
    assert gateway.calls["authorise"] == 1
    assert (await _statuses(db_session, charge_id)).count("AUTHORISATION SUCCESS") == 1
    assert len(await jobs_of(db_session, jobs.CAPTURE_CHARGE)) == 1


# --- card number checks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "4242424242424241",  # fails the Luhn check
        "0000000000000000",  # passes it, but no card scheme issues it
    ],
)
async def test_a_number_that_is_no_card_rejects_the_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, number: str
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)
    gateway = CountingGateway()

    with registry.override("sandbox", gateway):
        response = await connector_client.post(AUTHORISE, json=card(token, card_number=number))

    assert _error(response) == (402, "CARD_NUMBER_REJECTED", ["The card_number is not a valid card number"])
    assert gateway.calls["authorise"] == 0
    assert await _statuses(db_session, charge_id) == ["CREATED", "AUTHORISATION REJECTED"]
    stored = await _charge(db_session, charge_id)
    assert stored.first_digits_card_number is None
    assert await _token_used(db_session, token)
    again = await connector_client.post(AUTHORISE, json=card(token))
    assert _error(again)[:2] == (400, "ONE_TIME_TOKEN_ALREADY_USED")


async def test_a_prepaid_card_is_rejected_where_prepaid_cards_are_blocked(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await _moto_account(db_session, block_prepaid_cards=True)
    charge_id, token = await create_moto_charge(connector_client, account)

    response = await connector_client.post(AUTHORISE, json=card(token, card_number="4131840000000003"))

    assert _error(response) == (402, "CARD_NUMBER_REJECTED", ["Prepaid cards are not accepted"])
    assert (await _charge(db_session, charge_id)).status == S.AUTHORISATION_REJECTED


async def _accept_only(session: AsyncSession, account: GatewayAccount, brand: str, card_type: str) -> None:
    keep = select(CardType.id).where(CardType.brand == brand, CardType.type == card_type)
    await session.execute(
        delete(accepted_card_types).where(
            accepted_card_types.c.gateway_account_id == account.id,
            accepted_card_types.c.card_type_id.not_in(keep),
        )
    )
    await session.commit()


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("371449635398431", "The card type is not enabled: american-express"),
        ("4293189100000008", "The card type is not enabled: visa debit"),
    ],
)
async def test_a_card_type_the_account_does_not_take_is_rejected(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, number: str, message: str
) -> None:
    account = await _moto_account(db_session)
    await _accept_only(db_session, account, "visa", "CREDIT")
    charge_id, token = await create_moto_charge(connector_client, account)

    response = await connector_client.post(AUTHORISE, json=card(token, card_number=number))

    assert _error(response) == (402, "CARD_NUMBER_REJECTED", [message])
    assert (await _charge(db_session, charge_id)).status == S.AUTHORISATION_REJECTED


# --- validation: nothing is written ----------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"card_number": "4242 4242 4242 4242"},
            "Invalid attribute value: card_number. Must be a valid card number",
        ),
        ({"cvc": "12a"}, "Invalid attribute value: cvc. Must contain numbers only"),
        (
            {"expiry_date": "13/30"},
            "Invalid attribute value: expiry_date. Must be a valid date with the format MM/YY",
        ),
        (
            {"expiry_date": "0930"},
            "Invalid attribute value: expiry_date. Must be a valid date with the format MM/YY",
        ),
        (
            {"expiry_date": "09/21"},
            "Invalid attribute value: expiry_date. Must be a valid date in the future",
        ),
    ],
)
async def test_invalid_card_details_change_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, overrides: dict[str, str], message: str
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)

    response = await connector_client.post(AUTHORISE, json=card(token, **overrides))

    assert _error(response) == (422, "INVALID_ATTRIBUTE_VALUE", [message])
    assert await _statuses(db_session, charge_id) == ["CREATED"]
    assert not await _token_used(db_session, token)
    assert (await connector_client.post(AUTHORISE, json=card(token))).status_code == 204


async def test_every_missing_or_mis_sized_field_is_listed(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.post(
        AUTHORISE,
        json={"one_time_token": " ", "card_number": "4242", "cvc": "12345", "cardholder_name": "x" * 256},
    )

    assert _error(response) == (
        422,
        "GENERIC",
        [
            "Missing mandatory attribute: one_time_token",
            "Invalid attribute value: card_number. Must be between 12 and 19 characters long",
            "Invalid attribute value: cvc. Must be between 3 and 4 characters long",
            "Missing mandatory attribute: expiry_date",
            "Invalid attribute value: cardholder_name. Must be less than or equal to 255 characters length",
        ],
    )


@pytest.mark.parametrize("raw", [b"[1, 2]", b"{not json", b'{"card_number": 4242424242424242}'])
async def test_a_body_that_does_not_bind_is_400(connector_client: httpx.AsyncClient, raw: bytes) -> None:
    response = await connector_client.post(
        AUTHORISE, content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error_identifier"] == "GENERIC"


# --- card data stays out of logs, messages and the database -----------------------------------


@pytest.mark.parametrize(
    ("number", "cvc", "expected"),
    [
        ("4000056655665556", "987", 204),  # authorised
        ("4000000000000002", "987", 402),  # declined by the gateway
        ("4000056655665557", "987", 402),  # refused before the gateway (Luhn)
        ("4000056655665556", "98x", 422),  # invalid CVC
    ],
)
async def test_card_number_and_cvc_are_never_logged_answered_or_stored(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    caplog: pytest.LogCaptureFixture,
    number: str,
    cvc: str,
    expected: int,
) -> None:
    account = await _moto_account(db_session)
    charge_id, token = await create_moto_charge(connector_client, account)

    with capture_logs() as logs:
        response = await connector_client.post(AUTHORISE, json=card(token, card_number=number, cvc=cvc))

    assert response.status_code == expected
    logged = json.dumps(logs, default=str) + caplog.text + response.text
    assert number not in logged
    assert not mentions(logged, cvc)
    charge = await _charge(db_session, charge_id)
    row = (
        (await db_session.execute(select(Charge.__table__).where(Charge.__table__.c.id == charge.id)))
        .mappings()
        .one()
    )
    stored = json.dumps(dict(row.items()), default=str)
    await db_session.commit()
    assert number not in stored
    assert not mentions(stored, cvc)


async def test_a_web_charge_locked_elsewhere_is_not_touched(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    """A moto_api token never reaches a charge of another mode, whatever its status."""
    account = await _moto_account(db_session)
    web = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS)
    db_session.add(Token(charge_id=web.id, secure_redirect_token="web-token", created_date=web.created_date))
    await db_session.commit()

    response = await connector_client.post(AUTHORISE, json=card("web-token"))

    assert _error(response)[:2] == (400, "ONE_TIME_TOKEN_INVALID")
    assert (await _charge(db_session, web.external_id)).status == S.ENTERING_CARD_DETAILS
