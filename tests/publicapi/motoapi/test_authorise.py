"""POST /v1/auth through publicapi → connector → PostgreSQL (publicapi.md §d.5, §e; seed 003)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from structlog.testing import capture_logs

from publicapi.config import Settings
from tests.connector.motoapi.moto import mentions
from tests.publicapi.conftest import CONNECTOR_BASE_URL, PUBLICAPI_BASE_URL
from tests.publicapi.motoapi.moto import CARD, card_for, create_moto_payment, moto_headers

pytestmark = pytest.mark.asyncio
__all__ = ["moto_headers"]  # the fixture, used by name


@pytest.fixture
def publicapi_settings() -> Settings:
    # Every POST /v1/auth shares one anonymous bucket: room for the concurrent test's 20.
    return Settings(
        base_url=PUBLICAPI_BASE_URL,
        connector_url=CONNECTOR_BASE_URL,
        log_json=True,
        rate_limiter_value_post=100,
        rate_limiter_value_per_node_post=100,
    )


async def _payment(client: httpx.AsyncClient, headers: dict[str, str], payment_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/payments/{payment_id}", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_moto_payment_is_authorised_without_an_api_key(
    publicapi_client: httpx.AsyncClient, moto_headers: dict[str, str]
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers)
    link = payment["_links"]["auth_url_post"]
    assert link["href"] == "http://publicapi.test/v1/auth"
    assert (link["method"], link["type"]) == ("POST", "application/json")

    response = await publicapi_client.post("/v1/auth", json=card_for(payment))

    assert response.status_code == 204, response.text
    assert response.content == b""
    after = await _payment(publicapi_client, moto_headers, payment["payment_id"])
    assert after["state"] == {"status": "success", "finished": True}
    assert after["card_details"]["last_digits_card_number"] == "4242"
    assert after["card_details"]["card_brand"] == "Visa"
    assert after["card_details"]["cardholder_name"] == "J. Citizen"
    assert "auth_url_post" not in after["_links"]


async def test_the_token_works_once(
    publicapi_client: httpx.AsyncClient, moto_headers: dict[str, str]
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers)
    assert (await publicapi_client.post("/v1/auth", json=card_for(payment))).status_code == 204

    again = await publicapi_client.post("/v1/auth", json=card_for(payment))

    assert again.status_code == 400
    assert again.json() == {"code": "P1212", "description": "The one_time_token has already been used"}


async def test_twenty_concurrent_requests_with_one_token_authorise_once(
    publicapi_client: httpx.AsyncClient, moto_headers: dict[str, str]
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers)
    body = card_for(payment)

    responses = await asyncio.gather(*(publicapi_client.post("/v1/auth", json=body) for _ in range(20)))

    assert sorted(response.status_code for response in responses) == [204] + [400] * 19
    assert {response.json()["code"] for response in responses if response.status_code == 400} == {"P1212"}
    events = await publicapi_client.get(f"/v1/payments/{payment['payment_id']}/events", headers=moto_headers)
    statuses = [event["state"]["status"] for event in events.json()["events"]]
    assert statuses.count("success") == 1


async def test_an_unknown_token_is_p1211(
    publicapi_client: httpx.AsyncClient, moto_headers: dict[str, str]
) -> None:
    response = await publicapi_client.post("/v1/auth", json={"one_time_token": "made-up", **CARD})

    assert response.status_code == 400
    assert response.json() == {"code": "P1211", "description": "The one_time_token is not valid"}


@pytest.mark.parametrize(
    ("number", "status", "code", "description", "state"),
    [
        (
            "4242424242424241",
            402,
            "P0010",
            "The card_number is not a valid card number",
            {"status": "failed", "finished": True, "code": "P0010", "message": "Payment method rejected"},
        ),
        (
            "4000000000000002",
            402,
            "P0010",
            "The payment was rejected",
            {"status": "failed", "finished": True, "code": "P0010", "message": "Payment method rejected"},
        ),
        (
            "4000000000000119",
            500,
            "P0050",
            "There was an error authorising the payment",
            {
                "status": "error",
                "finished": True,
                "code": "P0050",
                "message": "Payment provider returned an error",
            },
        ),
    ],
)
async def test_refused_cards_fail_the_payment(
    publicapi_client: httpx.AsyncClient,
    moto_headers: dict[str, str],
    number: str,
    status: int,
    code: str,
    description: str,
    state: dict[str, Any],
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers)

    response = await publicapi_client.post("/v1/auth", json=card_for(payment, card_number=number))

    assert response.status_code == status
    assert response.json() == {"code": code, "description": description}
    assert (await _payment(publicapi_client, moto_headers, payment["payment_id"]))["state"] == state


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        (
            {"expiry_date": "09/21"},
            "Invalid attribute value: expiry_date. Must be a valid date in the future",
        ),
        (
            {"expiry_date": "13/30"},
            "Invalid attribute value: expiry_date. Must be a valid date with the format MM/YY",
        ),
        (
            {"card_number": "4242-4242-4242"},
            "Invalid attribute value: card_number. Must be a valid card number",
        ),
        ({"cvc": "1 3"}, "Invalid attribute value: cvc. Must contain numbers only"),
    ],
)
async def test_invalid_card_details_leave_the_payment_payable(
    publicapi_client: httpx.AsyncClient,
    moto_headers: dict[str, str],
    overrides: dict[str, str],
    description: str,
) -> None:
    payment = await create_moto_payment(publicapi_client, moto_headers)

    response = await publicapi_client.post("/v1/auth", json=card_for(payment, **overrides))

    assert response.status_code == 422
    assert response.json() == {"code": "P0102", "description": description}
    still = await _payment(publicapi_client, moto_headers, payment["payment_id"])
    assert still["state"] == {"status": "created", "finished": False}
    assert (await publicapi_client.post("/v1/auth", json=card_for(payment))).status_code == 204


def _without(name: str) -> dict[str, Any]:
    return {key: value for key, value in {"one_time_token": "t", **CARD}.items() if key != name}


@pytest.mark.parametrize(
    ("body", "field", "code", "description"),
    [
        (
            _without("one_time_token"),
            "one_time_token",
            "P0101",
            "Missing mandatory attribute: one_time_token",
        ),
        (
            {**_without("x"), "one_time_token": "  "},
            "one_time_token",
            "P0101",
            "Missing mandatory attribute: one_time_token",
        ),
        (_without("card_number"), "card_number", "P0101", "Missing mandatory attribute: card_number"),
        (
            {**_without("x"), "card_number": "42424242424"},
            "card_number",
            "P0102",
            "Invalid attribute value: card_number. Must be between 12 and 19 characters long",
        ),
        (
            {**_without("x"), "card_number": "4" * 20},
            "card_number",
            "P0102",
            "Invalid attribute value: card_number. Must be between 12 and 19 characters long",
        ),
        (_without("cvc"), "cvc", "P0101", "Missing mandatory attribute: cvc"),
        (
            {**_without("x"), "cvc": "12"},
            "cvc",
            "P0102",
            "Invalid attribute value: cvc. Must be between 3 and 4 characters long",
        ),
        (
            _without("expiry_date"),
            "expiry_date",
            "P0102",
            "Invalid attribute value: expiry_date. Must be a valid date with the format MM/YY",
        ),
        (
            {**_without("x"), "expiry_date": "9/30"},
            "expiry_date",
            "P0102",
            "Invalid attribute value: expiry_date. Must be a valid date with the format MM/YY",
        ),
        (
            _without("cardholder_name"),
            "cardholder_name",
            "P0101",
            "Missing mandatory attribute: cardholder_name",
        ),
        (
            {**_without("x"), "cardholder_name": "x" * 256},
            "cardholder_name",
            "P0102",
            "Invalid attribute value: cardholder_name. Must be less than or equal to 255 characters long",
        ),
        (
            {**_without("x"), "cvc": 123},
            "cvc",
            "P0102",
            "Invalid attribute value: cvc. Must be of type String",
        ),
        (
            {"card_number": 4242424242424242, "one_time_token": ["t"]},
            "card_number",
            "P0102",
            "Invalid attribute value: card_number. Must be of type String",
        ),
    ],
)
async def test_body_rules(
    publicapi_client: httpx.AsyncClient,
    connector_requests: list[httpx.Request],
    body: dict[str, Any],
    field: str,
    code: str,
    description: str,
) -> None:
    response = await publicapi_client.post("/v1/auth", json=body)

    assert response.status_code == 422
    assert response.json() == {"field": field, "code": code, "description": description}
    assert connector_requests == []  # refused before connector sees the card


@pytest.mark.parametrize("raw", [b"{not json", b"[]", b'"card"', b""])
async def test_an_unreadable_body_is_400(publicapi_client: httpx.AsyncClient, raw: bytes) -> None:
    response = await publicapi_client.post(
        "/v1/auth", content=raw, headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"code": "P0197", "description": "Unable to parse JSON"}


@pytest.mark.parametrize(
    ("number", "cvc", "expected"),
    [("4000056655665556", "987", 204), ("4000056655665557", "987", 402), ("4000056655665556", "98", 422)],
)
async def test_card_number_and_cvc_are_never_logged(
    publicapi_client: httpx.AsyncClient,
    moto_headers: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    number: str,
    cvc: str,
    expected: int,
) -> None:
    """Every line publicapi and connector log while the card passes through them, in both
    structlog's capture and the standard library's, and the answer, hold neither."""
    payment = await create_moto_payment(publicapi_client, moto_headers)
    capsys.readouterr()

    with capture_logs() as logs:
        response = await publicapi_client.post(
            "/v1/auth", json=card_for(payment, card_number=number, cvc=cvc)
        )

    assert response.status_code == expected
    assert logs, "the request is logged"
    printed = capsys.readouterr()
    logged = json.dumps(logs, default=str) + caplog.text + printed.out + printed.err + response.text
    assert number not in logged
    assert not mentions(logged, cvc)
