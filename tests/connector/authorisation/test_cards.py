"""POST /v1/frontend/charges/{id}/cards: sandbox outcomes, validation, locking, what is stored."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from structlog.testing import capture_logs

from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.gateways import registry
from connector.gateways.base import (
    AuthorisationRequest,
    AuthorisationResult,
    AuthorisationStatus,
    GatewayTimeout,
    GatewayUnavailable,
    ThreeDsResult,
)
from connector.models import Charge, ChargeEvent
from tests.connector.authorisation.cards import card_body
from tests.connector.gateways.fakes import CountingGateway
from tests.factories import create_account, create_charge

S = ChargeStatus

AUTHORISED = [
    ("4242424242424242", "visa"),
    ("4444333322221111", "visa"),
    ("4917610000000000003", "visa"),
    ("4000056655665556", "visa"),
    ("371449635398431", "american-express"),
    ("3566002020360505", "jcb"),
    ("6011000990139424", "discover"),
    ("36148900647913", "diners-club"),
    ("5105105105105100", "master-card"),
    ("222100000000000", "master-card"),
    ("4000000000000010", "visa"),
    ("4000160000000004", "visa"),
    ("4000020000000000", "visa"),
    ("4988080000000000", "visa"),
    ("4111111111111111", "visa"),
    ("4293189100000008", "visa"),
    ("5101180000000007", "master-card"),
    ("4131840000000003", "visa"),
    ("4000180000000002", "visa"),
    ("5200828282828210", "master-card"),
]
REJECTED = ["4000000000000002", "4000000000000069", "4000000000000127"]


async def _charge(session: AsyncSession, **fields: Any) -> Charge:
    account = await create_account(session)
    fields.setdefault("status", S.ENTERING_CARD_DETAILS)
    return await create_charge(session, account, **fields)


async def _stored(session: AsyncSession, charge: Charge) -> Charge:
    """The row as committed now (another session wrote it)."""
    await session.refresh(charge)
    return charge


def _cards_url(charge: Charge | str) -> str:
    charge_id = charge if isinstance(charge, str) else charge.external_id
    return f"/v1/frontend/charges/{charge_id}/cards"


@pytest.mark.asyncio
@pytest.mark.parametrize(("number", "brand"), AUTHORISED)
async def test_authorised_sandbox_cards(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, number: str, brand: str
) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(_cards_url(charge), json=card_body(number, brand))
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "AUTHORISATION SUCCESS"}
    stored = await _stored(db_session, charge)
    assert stored.status == S.AUTHORISATION_SUCCESS
    assert stored.first_digits_card_number == number[:6]
    assert stored.last_digits_card_number == number[-4:]
    assert stored.gateway_transaction_id
    assert stored.requires_3ds is False


@pytest.mark.asyncio
@pytest.mark.parametrize("number", REJECTED)
async def test_rejected_sandbox_cards(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, number: str
) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(_cards_url(charge), json=card_body(number))
    assert response.status_code == 400
    assert response.json()["message"] == ["This transaction was declined."]
    assert (await _stored(db_session, charge)).status == S.AUTHORISATION_REJECTED


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("4000000000000119", "This transaction could be not be processed."),
        ("4000000000000101", "Unsupported card details."),
        ("5555555555554444", "Unsupported card details."),
    ],
)
async def test_error_sandbox_cards(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, number: str, message: str
) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(_cards_url(charge), json=card_body(number))
    assert response.status_code == 400
    assert response.json()["message"] == [message]
    stored = await _stored(db_session, charge)
    assert stored.status == S.AUTHORISATION_ERROR
    assert stored.last_digits_card_number == number[-4:]


@pytest.mark.asyncio
async def test_3ds_card_asks_for_3ds(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(_cards_url(charge), json=card_body("4000000000003220"))
    assert response.status_code == 200
    assert response.json() == {"status": "AUTHORISATION 3DS REQUIRED"}
    stored = await _stored(db_session, charge)
    assert stored.requires_3ds is True
    assert stored.issuer_url_3ds
    assert stored.pa_request_3ds


@pytest.mark.asyncio
async def test_created_charge_can_be_authorised_directly(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session, status=S.CREATED)
    response = await connector_client.post(_cards_url(charge), json=card_body())
    assert response.json() == {"status": "AUTHORISATION SUCCESS"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "change",
    [
        {"card_number": "42424242424"},  # 11 digits
        {"card_number": "42424242424242424242"},  # 20 digits
        {"card_number": "4242 4242 4242 4242"},
        {"card_number": 4242424242424242},
        {"card_number": None},
        {"cvc": "12"},
        {"cvc": "12345"},
        {"cvc": "12a"},
        {"expiry_date": "1299"},
        {"expiry_date": "13/30"},
        {"card_brand": ""},
        {"card_brand": "visa123456789012"},
        {"cardholder_name": " 123 "},
        {"cardholder_name": "4242424242424242"},
        {"cardholder_name": "x" * 256},
        {"address": {"line1": "The street", "city": "The city", "postcode": "W1 2CP"}},
        {"address": {"line1": "", "city": "c", "postcode": "p", "country": "GB"}},
        {"address": {"line1": "4242424242424242", "city": "c", "postcode": "p", "country": "GB"}},
        {"address": {"line1": "l" * 256, "city": "c", "postcode": "p", "country": "GB"}},
        {"address": "The street"},
        {"card_type": "PLATINUM"},
        {"corporate_card": "yes"},
    ],
)
async def test_invalid_card_details_are_422_and_change_nothing(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, change: dict[str, Any]
) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(_cards_url(charge), json=card_body(**change))
    assert response.status_code == 422
    assert response.json()["message"] == ["Values do not match expected format/length."]
    assert "4242424242424242" not in response.text
    stored = await _stored(db_session, charge)
    assert stored.status == S.ENTERING_CARD_DETAILS
    assert stored.last_digits_card_number is None


@pytest.mark.asyncio
@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"card"'])
async def test_malformed_body_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, raw: bytes
) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(
        _cards_url(charge), content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400


@pytest.mark.asyncio
async def test_unknown_charge_is_404(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.post(_cards_url("nosuchcharge"), json=card_body())
    assert response.status_code == 404
    assert response.json()["message"] == ["Charge with id [nosuchcharge] not found."]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "status", [S.AUTHORISATION_SUCCESS, S.CAPTURED, S.EXPIRED, S.AUTHORISATION_3DS_REQUIRED]
)
async def test_charge_in_wrong_state_is_400(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, status: ChargeStatus
) -> None:
    charge = await _charge(db_session, status=status)
    with registry.override("sandbox", CountingGateway()) as gateway:
        response = await connector_client.post(_cards_url(charge), json=card_body())
    assert response.status_code == 400
    assert response.json()["message"] == [
        f"Charge not in correct state to be processed, {charge.external_id}"
    ]
    assert gateway.calls["authorise"] == 0  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_charge_already_being_authorised_is_202(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session, status=S.AUTHORISATION_READY)
    response = await connector_client.post(_cards_url(charge), json=card_body())
    assert response.status_code == 202
    assert response.json()["message"] == [
        f"Authorisation for charge already in progress, {charge.external_id}"
    ]


@pytest.mark.asyncio
async def test_concurrent_authorisations_reach_the_gateway_once(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session)
    counting = CountingGateway(delay=0.2)
    with registry.override("sandbox", counting):
        responses = await asyncio.gather(
            *(connector_client.post(_cards_url(charge), json=card_body()) for _ in range(5))
        )
    codes = sorted(response.status_code for response in responses)
    assert counting.calls["authorise"] == 1
    assert codes.count(200) == 1
    assert set(codes) <= {200, 202, 400}
    assert (await _stored(db_session, charge)).status == S.AUTHORISATION_SUCCESS
    events = (
        await db_session.scalars(select(ChargeEvent.status).where(ChargeEvent.charge_id == charge.id))
    ).all()
    assert events.count(S.AUTHORISATION_READY.value) == 1


@pytest.mark.asyncio
async def test_slow_gateway_answers_202_and_finishes_in_background(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, connector_settings: Settings
) -> None:
    charge = await _charge(db_session)
    counting = CountingGateway(delay=0.3)
    original = connector_settings.auth_read_timeout_seconds
    connector_settings.auth_read_timeout_seconds = 0.05
    try:
        with registry.override("sandbox", counting):
            response = await connector_client.post(_cards_url(charge), json=card_body())
            assert response.status_code == 202
            assert (await _stored(db_session, charge)).status == S.AUTHORISATION_READY
            for _ in range(100):
                await asyncio.sleep(0.05)
                if (await _stored(db_session, charge)).status != S.AUTHORISATION_READY:
                    break
    finally:
        connector_settings.auth_read_timeout_seconds = original
    assert (await _stored(db_session, charge)).status == S.AUTHORISATION_SUCCESS


@pytest.mark.asyncio
async def test_maestro_on_account_without_3ds_aborts_the_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session)
    with registry.override("sandbox", CountingGateway()) as gateway:
        response = await connector_client.post(
            _cards_url(charge), json=card_body("6759649826438453", "maestro")
        )
    assert response.status_code == 400
    assert response.json()["message"] == [
        f"Charge not in correct state to be processed, {charge.external_id}"
    ]
    assert (await _stored(db_session, charge)).status == S.AUTHORISATION_ABORTED
    assert gateway.calls["authorise"] == 0  # type: ignore[attr-defined]


@pytest.mark.asyncio
async def test_brand_the_account_does_not_accept_is_refused_without_state_change(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session)
    response = await connector_client.post(_cards_url(charge), json=card_body(brand="unknown-brand"))
    assert response.status_code == 400
    assert (await _stored(db_session, charge)).status == S.ENTERING_CARD_DETAILS


@pytest.mark.asyncio
async def test_unimplemented_provider_fails_cleanly(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    # Worldpay and Stripe have adapters now (issue 12); ePDQ is still a name without one.
    account = await create_account(db_session, payment_provider="epdq")
    charge = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS)
    response = await connector_client.post(_cards_url(charge), json=card_body())
    assert response.status_code == 400
    assert response.json()["message"] == ["Payment provider epdq is not supported."]
    assert (await _stored(db_session, charge)).status == S.AUTHORISATION_ERROR


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("corporate", "prepaid", "card_type", "expected"),
    [
        (True, "NOT_PREPAID", "CREDIT", 250),
        (True, "NOT_PREPAID", "DEBIT", 50),
        (True, "PREPAID", "DEBIT", 30),
        (True, "NOT_PREPAID", "CREDIT_OR_DEBIT", None),
        (True, "PREPAID", "CREDIT", None),
        (True, "UNKNOWN", "CREDIT", None),
        (False, "NOT_PREPAID", "CREDIT", None),
    ],
)
async def test_corporate_surcharge(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    corporate: bool,
    prepaid: str,
    card_type: str,
    expected: int | None,
) -> None:
    account = await create_account(
        db_session,
        corporate_credit_card_surcharge_amount=250,
        corporate_debit_card_surcharge_amount=50,
        corporate_prepaid_debit_card_surcharge_amount=30,
    )
    charge = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS)
    body = card_body("4988080000000000", corporate_card=corporate, prepaid=prepaid, card_type=card_type)
    response = await connector_client.post(_cards_url(charge), json=body)
    assert response.status_code == 200
    stored = await _stored(db_session, charge)
    assert stored.corporate_surcharge == expected
    assert stored.card_type == (card_type if card_type in ("CREDIT", "DEBIT") else None)


@pytest.mark.asyncio
async def test_no_surcharge_for_moto_api_charges(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, corporate_credit_card_surcharge_amount=250)
    charge = await create_charge(db_session, account, status=S.CREATED, authorisation_mode="MOTO_API")
    body = card_body(corporate_card=True, prepaid="NOT_PREPAID", card_type="CREDIT")
    assert (await connector_client.post(_cards_url(charge), json=body)).status_code == 200
    assert (await _stored(db_session, charge)).corporate_surcharge is None


@pytest.mark.asyncio
async def test_long_digit_runs_in_names_and_address_are_starred(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session)
    body = card_body(
        cardholder_name="Mr 12345 678901",  # 11 digits in total, none 12 in a row
        address={
            "line1": "Flat 1234 56789 01",
            "line2": "10 Downing St",
            "city": "London",
            "postcode": "SW1A 2AA",
            "country": "GB",
        },
    )
    assert (await connector_client.post(_cards_url(charge), json=body)).status_code == 200
    stored = await _stored(db_session, charge)
    assert stored.cardholder_name == "Mr ***** ******"
    assert stored.address_line1 == "Flat **** ***** **"
    assert stored.address_line2 == "10 Downing St"
    assert stored.address_postcode == "SW1A 2AA"
    assert stored.expiry_date == "11/30"


def _mentions(text: str, digits: str) -> bool:
    """Whether ``digits`` stand on their own in ``text``: not inside a longer run of letters,
    digits or dots, as they do by chance in random ids, request ids, microseconds and
    durations (a plain substring check failed on a timestamp ending ``.198757``)."""
    return re.search(rf"(?<![0-9a-z.]){digits}(?![0-9a-z.])", text) is not None


@pytest.mark.asyncio
async def test_full_card_number_and_cvc_are_never_stored_or_logged(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    charge = await _charge(db_session)
    number, cvc = "4000056655665556", "987"
    with capture_logs() as logs:
        response = await connector_client.post(_cards_url(charge), json=card_body(number, cvc=cvc))
    assert response.status_code == 200
    assert logs, "the authorisation logs what happened"
    logged = json.dumps(logs, default=str) + caplog.text
    assert number not in logged
    assert not _mentions(logged, cvc)
    row = (
        (await db_session.execute(select(Charge.__table__).where(Charge.__table__.c.id == charge.id)))
        .mappings()
        .one()
    )
    stored_text = json.dumps(dict(row.items()), default=str)
    assert number not in stored_text
    assert not _mentions(stored_text, cvc)
    assert row["first_digits_card_number"] == "400005"
    assert row["last_digits_card_number"] == "5556"


class _ScriptedGateway(CountingGateway):
    """Answers authorisations with a fixed result or exception (a third-party provider's behaviours)."""

    def __init__(self, answer: AuthorisationResult | Exception) -> None:
        super().__init__()
        self.answer = answer

    async def authorise(self, request: AuthorisationRequest) -> AuthorisationResult:
        self.calls["authorise"] += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    async def authorise_3ds(self, result: ThreeDsResult) -> AuthorisationResult:
        self.calls["authorise_3ds"] += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("answer", "code", "message", "status"),
    [
        (
            GatewayTimeout("Gateway connection timeout error"),
            402,
            "Gateway connection timeout error",
            S.AUTHORISATION_TIMEOUT,
        ),
        (
            GatewayUnavailable("Unexpected HTTP status code 503 from gateway"),
            402,
            "Unexpected HTTP status code 503 from gateway",
            S.AUTHORISATION_UNEXPECTED_ERROR,
        ),
        (
            RuntimeError("adapter bug"),
            402,
            "There was an error authorising the transaction.",
            S.AUTHORISATION_UNEXPECTED_ERROR,
        ),
        (
            AuthorisationResult(AuthorisationStatus.ERROR),
            402,
            "There was an error authorising the transaction.",
            S.AUTHORISATION_ERROR,
        ),
        (AuthorisationResult(AuthorisationStatus.CANCELLED), 200, None, S.AUTHORISATION_CANCELLED),
    ],
)
async def test_provider_failures_map_to_statuses_and_codes(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    answer: AuthorisationResult | Exception,
    code: int,
    message: str | None,
    status: ChargeStatus,
) -> None:
    charge = await _charge(db_session)
    with registry.override("sandbox", _ScriptedGateway(answer)):
        response = await connector_client.post(_cards_url(charge), json=card_body())
    assert response.status_code == code
    if message is not None:
        assert response.json()["message"] == [message]
    else:
        assert response.json() == {"status": status.value}
    assert (await _stored(db_session, charge)).status == status
    assert charge.gateway_transaction_id  # the pre-assigned id is kept when the provider sends none


@pytest.mark.asyncio
async def test_second_3ds_challenge_is_a_rejection(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    charge = await _charge(db_session)
    assert (
        await connector_client.post(_cards_url(charge), json=card_body("4000000000003220"))
    ).status_code == 200
    again = AuthorisationResult(
        AuthorisationStatus.REQUIRES_3DS, issuer_url_3ds="https://issuer", pa_request_3ds="pa"
    )
    with registry.override("sandbox", _ScriptedGateway(again)):
        response = await connector_client.post(
            f"/v1/frontend/charges/{charge.external_id}/3ds", json={"pa_response": "success"}
        )
    assert response.status_code == 400
    assert response.json() == {"status": "AUTHORISATION REJECTED"}
