"""POST /v1/auth: every connector answer → the public answer (publicapi.md §e), connector scripted."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.publicapi.mock_connector import mocked_publicapi, new_router
from tests.publicapi.motoapi.moto import CARD as MOTO_CARD

pytestmark = pytest.mark.asyncio

CARD = {"one_time_token": "onetime-12345-token", **MOTO_CARD}
AUTHORISE = "/v1/api/charges/authorise"
AUTH_ERROR = "There was an error authorising the payment"
DOWNSTREAM = {"code": "P0198", "description": "Downstream system error"}


def _error(identifier: str, *messages: str) -> dict[str, Any]:
    return {"error_identifier": identifier, "message": list(messages)}


async def _authorise(status: int, body: Any) -> httpx.Response:
    router = new_router()
    route = router.post(AUTHORISE).respond(status, json=body)
    async with mocked_publicapi(router) as (client, _):
        response = await client.post("/v1/auth", json=CARD)
    assert route.call_count == 1
    return response


async def test_connector_204_is_204_with_the_card_details_forwarded() -> None:
    router = new_router()
    route = router.post(AUTHORISE).respond(204)
    async with mocked_publicapi(router) as (client, _):
        response = await client.post("/v1/auth", json={**CARD, "unknown": "dropped"})

    assert response.status_code == 204
    assert response.content == b""
    assert json.loads(route.calls.last.request.content) == CARD


@pytest.mark.parametrize(
    ("status", "body", "expected_status", "expected"),
    [
        (
            402,
            _error("CARD_NUMBER_REJECTED", "The card_number is not a valid card number"),
            402,
            {"code": "P0010", "description": "The card_number is not a valid card number"},
        ),
        (
            402,
            _error("AUTHORISATION_REJECTED", "The payment was rejected"),
            402,
            {"code": "P0010", "description": "The payment was rejected"},
        ),
        (500, _error("AUTHORISATION_ERROR", "x"), 500, {"code": "P0050", "description": AUTH_ERROR}),
        (500, _error("AUTHORISATION_TIMEOUT", "x"), 500, {"code": "P0050", "description": AUTH_ERROR}),
        (
            400,
            _error("ONE_TIME_TOKEN_ALREADY_USED", "The one_time_token has already been used"),
            400,
            {"code": "P1212", "description": "The one_time_token has already been used"},
        ),
        (
            400,
            _error("ONE_TIME_TOKEN_INVALID", "The one_time_token is not valid"),
            400,
            {"code": "P1211", "description": "The one_time_token is not valid"},
        ),
        (
            422,
            _error(
                "INVALID_ATTRIBUTE_VALUE",
                "Invalid attribute value: expiry_date. Must be a valid date in the future",
            ),
            422,
            {
                "code": "P0102",
                "description": "Invalid attribute value: expiry_date. Must be a valid date in the future",
            },
        ),
        # By identifier whatever the status; unmapped, message-less or unreadable: P0198.
        (500, _error("ONE_TIME_TOKEN_INVALID", "The one_time_token is not valid"), 400, None),
        (422, _error("GENERIC", "Missing mandatory attribute: cvc"), 500, DOWNSTREAM),
        (400, _error("ONE_TIME_TOKEN_INVALID"), 500, DOWNSTREAM),
        (503, "<html>proxy</html>", 500, DOWNSTREAM),
        (200, {"status": "AUTHORISATION SUCCESS"}, 500, DOWNSTREAM),
    ],
)
async def test_connector_errors_translate(
    status: int, body: Any, expected_status: int, expected: dict[str, str] | None
) -> None:
    response = await _authorise(status, body)

    assert response.status_code == expected_status
    if expected is not None:
        assert response.json() == expected
    else:
        assert response.json()["code"] == "P1211"


async def test_connector_unreachable_is_p0198() -> None:
    router = new_router()
    router.post(AUTHORISE).mock(side_effect=httpx.ConnectError("refused"))
    async with mocked_publicapi(router) as (client, _):
        response = await client.post("/v1/auth", json=CARD)

    assert response.status_code == 500
    assert response.json() == DOWNSTREAM
