"""The translation layer: every connector answer an operation can get → the public answer.

Connector is scripted here (respx) with the pacts' responses and with every documented error
identifier, timeouts and 5xx (publicapi.md §e); the end-to-end tests next to this file drive
the real connector.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.contract.shared import pact_response
from tests.publicapi.mock_connector import ACCOUNT_PATH, BASE_URL, mocked_publicapi, new_router

pytestmark = pytest.mark.asyncio

SUPPORT = "https://www.payments.service.gov.uk/support/"
CREATE_BODY = {
    "amount": 100,
    "reference": "a reference",
    "description": "a description",
    "return_url": "https://x.example/r",
}
DOWNSTREAM = "Downstream system error"


def error(identifier: str, message: str | None = "connector says no", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error_identifier": identifier, "message": [message] if message else []}
    body.update(extra)
    return body


CREATE_ERRORS: list[tuple[str, int, Any, int, dict[str, str]]] = [
    (
        "agreement-not-found-404",
        404,
        error("AGREEMENT_NOT_FOUND"),
        400,
        {
            "field": "set_up_agreement",
            "code": "P0103",
            "description": "Invalid attribute value: set_up_agreement. Agreement ID does not exist",
        },
    ),
    (
        "unknown-account-404",
        404,
        error("GENERIC"),
        500,
        {
            "code": "P0199",
            "description": f"There is an error with this account. Contact support with your error code - {SUPPORT} .",
        },
    ),
    (
        "agreement-not-found-400",
        400,
        error("AGREEMENT_NOT_FOUND"),
        400,
        {
            "field": "agreement_id",
            "code": "P0102",
            "description": "Invalid attribute value: agreement_id. Agreement does not exist",
        },
    ),
    (
        "agreement-not-active",
        400,
        error("AGREEMENT_NOT_ACTIVE"),
        400,
        {
            "field": "agreement_id",
            "code": "P0102",
            "description": "Invalid attribute value: agreement_id. Agreement must be active",
        },
    ),
    (
        "amount-below-minimum",
        422,
        error("AMOUNT_BELOW_MINIMUM"),
        422,
        {
            "field": "amount",
            "code": "P0102",
            "description": "Invalid attribute value: amount. Must be greater than or equal to 30. "
            "Refer to https://docs.payments.service.gov.uk/making_payments/#amount",
        },
    ),
    (
        "telephone-not-allowed",
        403,
        error("TELEPHONE_PAYMENT_NOTIFICATIONS_NOT_ALLOWED"),
        403,
        {
            "code": "P0930",
            "description": f"Access to this resource is not enabled for this account. Contact support with your error code - {SUPPORT} .",
        },
    ),
    (
        "account-not-linked",
        400,
        error("ACCOUNT_NOT_LINKED_WITH_PSP"),
        403,
        {
            "code": "P0940",
            "description": "Account is not fully configured. Please refer to documentation to setup your account or "
            f"contact support with your error code - {SUPPORT} .",
        },
    ),
    (
        "unexpected-attribute",
        422,
        error("UNEXPECTED_ATTRIBUTE", "Unexpected attribute: return_url"),
        400,
        {"code": "P0104", "description": "Unexpected attribute: return_url"},
    ),
    (
        "save-instrument-wrong-mode",
        400,
        error("INCORRECT_AUTHORISATION_MODE_FOR_SAVE_PAYMENT_INSTRUMENT_TO_AGREEMENT"),
        400,
        {"code": "P0104", "description": "Unexpected attribute: set_up_agreement"},
    ),
    (
        "recurring-not-allowed",
        422,
        error("RECURRING_CARD_PAYMENTS_NOT_ALLOWED"),
        422,
        {
            "code": "P0942",
            "description": f"Recurring card payments are currently disabled for this service. Contact support with your error code - {SUPPORT}",
        },
    ),
    (
        "idempotency-key-used",
        409,
        error("IDEMPOTENCY_KEY_USED"),
        409,
        {
            "code": "P0191",
            "description": "The `Idempotency-Key` you sent in the request header has already been used to create a payment.",
        },
    ),
    (
        "card-number-in-reference",
        400,
        error(
            "CARD_NUMBER_IN_PAYMENT_LINK_REFERENCE_REJECTED",
            "Card number entered in a payment link reference",
        ),
        400,
        {"code": "P0105", "description": "Card number entered in a payment link reference"},
    ),
    (
        "quoted-message-missing",
        422,
        error("INVALID_ATTRIBUTE_VALUE", None),
        500,
        {"code": "P0198", "description": DOWNSTREAM},
    ),
    ("unknown-identifier", 400, error("SOMETHING_NEW"), 500, {"code": "P0198", "description": DOWNSTREAM}),
    ("server-error", 500, {"message": "boom"}, 500, {"code": "P0198", "description": DOWNSTREAM}),
    ("html-error-page", 502, "<html>bad gateway</html>", 500, {"code": "P0198", "description": DOWNSTREAM}),
]


@pytest.mark.parametrize(
    ("status", "body", "public_status", "public_body"),
    [c[1:] for c in CREATE_ERRORS],
    ids=[c[0] for c in CREATE_ERRORS],
)
async def test_create_payment_error_table(
    status: int, body: Any, public_status: int, public_body: dict[str, str]
) -> None:
    router = new_router()
    content = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    router.post(f"{ACCOUNT_PATH}/charges").respond(status, content=content)
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post("/v1/payments", json=CREATE_BODY, headers=headers)

    assert response.status_code == public_status
    assert response.json() == public_body


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.ConnectError("refused"), httpx.RemoteProtocolError("reset")],
    ids=["timeout", "refused", "reset"],
)
@pytest.mark.parametrize(
    ("method", "path", "connector_path", "code"),
    [
        ("POST", "/v1/payments", "/charges", "P0198"),
        ("GET", "/v1/payments/p1", "/charges/p1", "P0298"),
        ("GET", "/v1/payments/p1/events", "/charges/p1/events", "P0398"),
        ("POST", "/v1/payments/p1/cancel", "/charges/p1/cancel", "P0598"),
        ("POST", "/v1/payments/p1/capture", "/charges/p1/capture", "P1098"),
        ("POST", "/v1/payments/p1/refunds", "/charges/p1/refunds", "P0698"),
        ("GET", "/v1/payments/p1/refunds", "/charges/p1/refunds", "P0898"),
        ("GET", "/v1/payments/p1/refunds/r1", "/charges/p1/refunds/r1", "P0798"),
        ("GET", "/v1/payments", "/charges", "P0498"),
        ("GET", "/v1/refunds", "/refunds", "P1898"),
        ("POST", "/v1/payment_notification", "/telephone-charges", "P0198"),
    ],
)
async def test_connector_unreachable_is_the_operations_downstream_error(
    failure: Exception, method: str, path: str, connector_path: str, code: str
) -> None:
    router = new_router()
    router.route(method=method, path=f"{ACCOUNT_PATH}{connector_path}").mock(side_effect=failure)
    body = _body_for(path)
    async with mocked_publicapi(router) as (client, headers):
        response = await client.request(method, path, json=body, headers=headers)

    assert response.status_code == 500
    assert response.json() == {"code": code, "description": DOWNSTREAM}


@pytest.mark.parametrize(
    ("method", "path", "connector_path", "code"),
    [
        ("GET", "/v1/payments/p1", "/charges/p1", "P0298"),
        ("GET", "/v1/payments/p1/events", "/charges/p1/events", "P0398"),
        ("POST", "/v1/payments/p1/cancel", "/charges/p1/cancel", "P0598"),
        ("POST", "/v1/payments/p1/capture", "/charges/p1/capture", "P1098"),
        ("POST", "/v1/payments/p1/refunds", "/charges/p1/refunds", "P0698"),
        ("GET", "/v1/payments/p1/refunds", "/charges/p1/refunds", "P0898"),
        ("GET", "/v1/payments/p1/refunds/r1", "/charges/p1/refunds/r1", "P0798"),
        ("GET", "/v1/payments", "/charges", "P0498"),
        ("GET", "/v1/refunds", "/refunds", "P1898"),
    ],
)
async def test_connector_5xx_is_the_operations_downstream_error(
    method: str, path: str, connector_path: str, code: str
) -> None:
    router = new_router()
    router.route(method=method, path=f"{ACCOUNT_PATH}{connector_path}").respond(503, text="unavailable")
    async with mocked_publicapi(router) as (client, headers):
        response = await client.request(method, path, json=_body_for(path), headers=headers)

    assert response.status_code == 500
    assert response.json() == {"code": code, "description": DOWNSTREAM}


def _body_for(path: str) -> dict[str, Any] | None:
    if path == "/v1/payments":
        return CREATE_BODY
    if path.endswith("/refunds"):
        return {"amount": 100, "refund_amount_available": 100}
    if path == "/v1/payment_notification":
        return {
            "amount": 100,
            "reference": "r",
            "description": "d",
            "processor_id": "p",
            "provider_id": "q",
            "payment_outcome": {"status": "success"},
        }
    return None


async def test_unhandled_error_is_a_generic_500_without_a_stack_trace() -> None:
    router = new_router()
    router.get(f"{ACCOUNT_PATH}/charges/p1").mock(side_effect=RuntimeError("bug in a transport"))
    async with mocked_publicapi(router) as (client, headers):
        response = await client.get("/v1/payments/p1", headers=headers)

    assert response.status_code == 500
    assert response.json() == {
        "code": 500,
        "message": "There was an error processing your request. It has been logged.",
    }
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text


async def test_idempotent_replay_is_200_without_location() -> None:
    router = new_router()
    charge = pact_response("publicapi-connector-create-payment-with-idempotency-key-200-response.json")[
        "body"
    ]
    route = router.post(f"{ACCOUNT_PATH}/charges").respond(200, json=charge)
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post(
            "/v1/payments", json=CREATE_BODY, headers={**headers, "Idempotency-Key": "Ida-the-key"}
        )

    assert response.status_code == 200
    assert "location" not in response.headers
    assert response.headers["cache-control"] == "no-store"
    assert response.json()["payment_id"] == charge["charge_id"]
    assert route.calls.last.request.headers["idempotency-key"] == "Ida-the-key"


# --- pact responses → public shapes ----------------------------------------------------------


async def _get_payment_from(pact: str) -> dict[str, Any]:
    connector = pact_response(pact)
    router = new_router()
    router.get(f"{ACCOUNT_PATH}/charges/ch_123abc456def").respond(connector["status"], json=connector["body"])
    async with mocked_publicapi(router) as (client, headers):
        response = await client.get("/v1/payments/ch_123abc456def", headers=headers)
    assert response.status_code == 200
    payment: dict[str, Any] = response.json()
    return payment


async def test_capturable_payment_from_its_pact() -> None:
    payment = await _get_payment_from("publicapi-connector-get-capturable-payment.json")

    self_url = f"{BASE_URL}/v1/payments/ch_123abc456def"
    assert payment["state"] == {"finished": False, "status": "capturable"}
    assert payment["corporate_card_surcharge"] == 250
    assert payment["total_amount"] == 350
    assert payment["metadata"] == {"ledger_code": 123, "some_key": "key"}
    assert payment["provider_id"] == "gateway-tx-123456"
    assert payment["authorisation_summary"] == {"three_d_secure": {"required": True}}
    assert payment["refund_summary"] == {
        "status": "unavailable",
        "amount_available": 350,
        "amount_submitted": 0,
    }
    assert payment["settlement_summary"] == {}
    assert payment["_links"] == {
        "self": {"href": self_url, "method": "GET"},
        "events": {"href": f"{self_url}/events", "method": "GET"},
        "refunds": {"href": f"{self_url}/refunds", "method": "GET"},
        "cancel": {"href": f"{self_url}/cancel", "method": "POST"},
        "capture": {"href": f"{self_url}/capture", "method": "POST"},
    }


async def test_wallet_payment_from_its_pact() -> None:
    payment = await _get_payment_from("publicapi-connector-get-wallet-payment.json")

    assert payment["card_details"]["wallet_type"] == "Apple Pay"
    assert payment["card_details"]["cardholder_name"] == "aName"
    assert payment["authorisation_mode"] == "web"
    assert "cancel" not in payment["_links"]


async def test_fee_and_exemption_from_their_pacts() -> None:
    with_fee = await _get_payment_from("publicapi-connector-get-payment-with-fee-and-net-amount.json")
    with_exemption = await _get_payment_from(
        "publicapi-connector-get-payment-with-honoured-corporate-exemption.json"
    )

    assert (with_fee["fee"], with_fee["net_amount"]) == (5, 345)
    assert "exemption" not in with_fee
    assert with_exemption["exemption"] == {
        "requested": True,
        "type": "corporate",
        "outcome": {"result": "honoured"},
    }


async def test_moto_api_payment_gets_a_public_auth_link() -> None:
    payment = await _get_payment_from("publicapi-connector-get-motoapi-created-payment.json")

    auth = payment["_links"]["auth_url_post"]
    assert auth["href"] == f"{BASE_URL}/v1/auth"
    assert auth["type"] == "application/json"
    assert auth["params"]["one_time_token"]
    assert "next_url" not in payment["_links"]


async def test_created_payment_keeps_frontend_next_urls() -> None:
    connector = pact_response("publicapi-connector-create-payment.json")
    router = new_router()
    router.post(f"{ACCOUNT_PATH}/charges").respond(201, json=connector["body"])
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post("/v1/payments", json=CREATE_BODY, headers=headers)

    links = response.json()["_links"]
    assert response.headers["location"] == f"{BASE_URL}/v1/payments/ch_ab2341da231434l"
    assert links["next_url"] == {
        "href": "http://frontend_connector/charge/token_1234567asdf",
        "method": "GET",
    }
    assert links["next_url_post"] == {
        "href": "http://frontend_connector/charge/",
        "method": "POST",
        "type": "application/x-www-form-urlencoded",
        "params": {"chargeTokenId": "token_1234567asdf"},
    }


async def test_events_from_their_pact() -> None:
    connector = pact_response("publicapi-connector-get-payment-events.json")
    router = new_router()
    router.get(f"{ACCOUNT_PATH}/charges/abc123/events").respond(200, json=connector["body"])
    async with mocked_publicapi(router) as (client, headers):
        response = await client.get("/v1/payments/abc123/events", headers=headers)

    payment_url = f"{BASE_URL}/v1/payments/abc123"
    assert response.json() == {
        "payment_id": "abc123",
        "events": [
            {
                "payment_id": "abc123",
                "state": {"status": "created", "finished": False},
                "updated": "2019-08-06T10:34:43.487Z",
                "_links": {"payment_url": {"href": payment_url, "method": "GET"}},
            },
            {
                "payment_id": "abc123",
                "state": {
                    "status": "failed",
                    "finished": True,
                    "code": "P0010",
                    "message": "Payment method rejected",
                },
                "updated": "2019-08-06T10:34:48.487Z",
                "_links": {"payment_url": {"href": payment_url, "method": "GET"}},
            },
        ],
        "_links": {"self": {"href": f"{payment_url}/events", "method": "GET"}},
    }


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, (404, "P0500", "Not found")),
        (400, (400, "P0501", "Cancellation of payment failed")),
        (409, (409, "P0502", "Cancellation of payment failed")),
        (202, (500, "P0598", DOWNSTREAM)),
        (500, (500, "P0598", DOWNSTREAM)),
    ],
)
async def test_cancel_status_table(status: int, expected: tuple[int, str, str]) -> None:
    router = new_router()
    router.post(f"{ACCOUNT_PATH}/charges/p1/cancel").respond(status)
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post("/v1/payments/p1/cancel", headers=headers)

    assert (response.status_code, response.json()["code"], response.json()["description"]) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, (404, "P1000", "Not found")),
        (400, (400, "P1001", "Capture of payment failed")),
        (409, (409, "P1003", "Payment cannot be captured")),
        (500, (500, "P1098", DOWNSTREAM)),
    ],
)
async def test_capture_status_table(status: int, expected: tuple[int, str, str]) -> None:
    router = new_router()
    router.post(f"{ACCOUNT_PATH}/charges/p1/capture").respond(status)
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post("/v1/payments/p1/capture", headers=headers)

    assert (response.status_code, response.json()["code"], response.json()["description"]) == expected


REFUND_ERRORS: list[tuple[str, int, Any, int, dict[str, str]]] = [
    ("not-found", 404, error("GENERIC"), 404, {"code": "P0600", "description": "Not found"}),
    (
        "account-disabled",
        403,
        {"error_identifier": "ACCOUNT_DISABLED"},  # the body of the create-refund-for-disabled-account pact
        403,
        {
            "code": "P0941",
            "description": "GOV.UK Pay has disabled payment and refund creation on this account. Contact support "
            f"with your error code - {SUPPORT} .",
        },
    ),
    (
        "not-available",
        400,
        error("REFUND_NOT_AVAILABLE", reason="full"),
        400,
        {
            "code": "P0603",
            "description": "The payment is not available for refund. Payment refund status: full",
        },
    ),
    (
        "not-available-no-reason",
        400,
        error("REFUND_NOT_AVAILABLE"),
        500,
        {"code": "P0698", "description": DOWNSTREAM},
    ),
    (
        "disputed",
        400,
        error("REFUND_NOT_AVAILABLE_DUE_TO_DISPUTE"),
        400,
        {"code": "P0603", "description": "The payment is disputed and cannot be refunded"},
    ),
    (
        "mismatch",
        412,
        error("REFUND_AMOUNT_AVAILABLE_MISMATCH"),
        412,
        {"code": "P0604", "description": "Refund amount available mismatch."},
    ),
    ("other", 400, error("GENERIC"), 500, {"code": "P0698", "description": DOWNSTREAM}),
]


@pytest.mark.parametrize(
    ("status", "body", "public_status", "public_body"),
    [c[1:] for c in REFUND_ERRORS],
    ids=[c[0] for c in REFUND_ERRORS],
)
async def test_create_refund_error_table(
    status: int, body: Any, public_status: int, public_body: dict[str, str]
) -> None:
    router = new_router()
    router.post(f"{ACCOUNT_PATH}/charges/p1/refunds").respond(status, json=body)
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post(
            "/v1/payments/p1/refunds", json={"amount": 100, "refund_amount_available": 100}, headers=headers
        )

    assert response.status_code == public_status
    assert response.json() == public_body


async def test_payment_refunds_from_their_pact() -> None:
    connector = pact_response("publicapi-connector-get-payment-refunds.json")
    router = new_router()
    router.get(f"{ACCOUNT_PATH}/charges/charge8133029783750222/refunds").respond(200, json=connector["body"])
    async with mocked_publicapi(router) as (client, headers):
        response = await client.get("/v1/payments/charge8133029783750222/refunds", headers=headers)

    body = response.json()
    payment_url = f"{BASE_URL}/v1/payments/charge8133029783750222"
    assert body["payment_id"] == "charge8133029783750222"
    assert body["_links"] == {
        "self": {"href": f"{payment_url}/refunds", "method": "GET"},
        "payment": {"href": payment_url, "method": "GET"},
    }
    refunds = body["_embedded"]["refunds"]
    assert [r["refund_id"] for r in refunds] == ["di0qnu9ucdo7aslhatci6h90jk", "m16ufgc3t23l766ljhv9eicsn5"]
    assert refunds[0] == {
        "refund_id": "di0qnu9ucdo7aslhatci6h90jk",
        "created_date": "2016-01-25T13:23:55.000Z",
        "amount": 1,
        "status": "success",
        "settlement_summary": {},
        "_links": {
            "self": {"href": f"{payment_url}/refunds/di0qnu9ucdo7aslhatci6h90jk", "method": "GET"},
            "payment": {"href": payment_url, "method": "GET"},
        },
    }


async def test_one_refund_from_its_pact() -> None:
    connector = pact_response("publicapi-connector-get-payment-refund.json")
    router = new_router()
    router.get(f"{ACCOUNT_PATH}/charges/123456789/refunds/r_123abc456def").respond(
        200, json=connector["body"]
    )
    async with mocked_publicapi(router) as (client, headers):
        response = await client.get("/v1/payments/123456789/refunds/r_123abc456def", headers=headers)

    assert response.json() == {
        "refund_id": "r_123abc456def",
        "created_date": "2018-09-22T10:14:16.067Z",
        "amount": 100,
        "status": "success",
        "settlement_summary": {},
        "_links": {
            "self": {"href": f"{BASE_URL}/v1/payments/123456789/refunds/r_123abc456def", "method": "GET"},
            "payment": {"href": f"{BASE_URL}/v1/payments/123456789", "method": "GET"},
        },
    }


async def test_telephone_payment_from_its_pact() -> None:
    pact = load_telephone_pact()
    router = new_router()
    route = router.post(f"{ACCOUNT_PATH}/telephone-charges").respond(201, json=pact["response"]["body"])
    async with mocked_publicapi(router) as (client, headers):
        response = await client.post(
            "/v1/payment_notification", json=pact["request"]["body"], headers=headers
        )

    assert response.status_code == 201
    assert json.loads(route.calls.last.request.content) == pact["request"]["body"]
    assert response.json() == {
        "amount": 12000,
        "reference": "MRPC12345",
        "description": "New passport application",
        "created_date": "2018-02-21T16:04:25.000Z",
        "authorised_date": "2018-02-21T16:05:33.000Z",
        "processor_id": "183f2j8923j8",
        "provider_id": "17498-8412u9-1273891239",
        "auth_code": "auth12345",
        "payment_outcome": {
            "status": "failed",
            "code": "P0010",
            "supplemental": {
                "error_code": "ECKOH01234",
                "error_message": "textual message describing error code",
            },
        },
        "card_type": "master-card",
        "name_on_card": "J Doe",
        "email_address": "j.doe@example.com",
        "card_expiry": "02/19",
        "last_four_digits": "1234",
        "first_six_digits": "654321",
        "telephone_number": "+447700900796",
        "payment_id": "t081qm4gudopckmq9r4ernnu1r",
        "state": {
            "finished": True,
            "code": "P0010",
            "message": "Payment method rejected",
            "status": "failed",
        },
    }


def load_telephone_pact() -> dict[str, Any]:
    from tests.contract.shared import load_pact

    interaction: dict[str, Any] = load_pact("publicapi-connector-create-telephone-payment-notification.json")[
        "interactions"
    ][0]
    return interaction


@pytest.mark.parametrize(
    ("path", "connector_path", "code"),
    [("/v1/payments?page=3", "/charges", "P0402"), ("/v1/refunds?page=3", "/refunds", "P1100")],
)
async def test_search_page_not_found(path: str, connector_path: str, code: str) -> None:
    router = new_router()
    router.get(f"{ACCOUNT_PATH}{connector_path}").respond(404, json=error("GENERIC"))
    async with mocked_publicapi(router) as (client, headers):
        response = await client.get(path, headers=headers)

    assert response.status_code == 404
    assert response.json() == {"code": code, "description": "Page not found"}
