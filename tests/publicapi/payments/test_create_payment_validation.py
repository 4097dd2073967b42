"""POST /v1/payments validation: every rule of publicapi.md §d.2, with its status and exact body.

Each refused request must never reach connector's create-charge endpoint.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.asyncio

VALID: dict[str, Any] = {
    "amount": 1200,
    "reference": "INV-1",
    "description": "Pay your council tax",
    "return_url": "https://service.example/return",
}


def missing(field: str) -> dict[str, str]:
    return {"field": field, "code": "P0101", "description": f"Missing mandatory attribute: {field}"}


def invalid(field: str, detail: str) -> dict[str, str]:
    return {"field": field, "code": "P0102", "description": f"Invalid attribute value: {field}. {detail}"}


def without(field: str) -> dict[str, Any]:
    return {key: value for key, value in VALID.items() if key != field}


STRING = "Must be a valid string format"
MODES = "Must be one of web, moto_api, agreement"
TYPES = "Must be one of instalment, recurring, unscheduled"
SOURCES = "Accepted values are only CARD_PAYMENT_LINK, CARD_AGENT_INITIATED_MOTO"
LONG_KEY_META = "Keys must be between 1 and 30 characters long"

CASES: list[tuple[str, dict[str, Any], int, dict[str, str]]] = [
    ("amount-missing", without("amount"), 400, missing("amount")),
    ("amount-null", {**VALID, "amount": None}, 400, missing("amount")),
    ("amount-string", {**VALID, "amount": "12"}, 400, invalid("amount", "Must be a valid numeric format")),
    ("amount-float", {**VALID, "amount": 12.5}, 400, invalid("amount", "Must be a valid numeric format")),
    ("amount-bool", {**VALID, "amount": True}, 400, invalid("amount", "Must be a valid numeric format")),
    (
        "amount-int-overflow",
        {**VALID, "amount": 2**31},
        400,
        invalid("amount", "Must be a valid numeric format"),
    ),
    (
        "amount-negative",
        {**VALID, "amount": -1},
        422,
        invalid("amount", "Must be greater than or equal to 1"),
    ),
    (
        "amount-too-big",
        {**VALID, "amount": 10_000_001},
        422,
        invalid("amount", "Must be less than or equal to 10000000"),
    ),
    ("reference-missing", without("reference"), 400, missing("reference")),
    ("reference-blank", {**VALID, "reference": "   "}, 400, missing("reference")),
    ("reference-number", {**VALID, "reference": 12}, 400, invalid("reference", STRING)),
    ("reference-pipe", {**VALID, "reference": "a|b"}, 400, invalid("reference", STRING)),
    ("reference-angle", {**VALID, "reference": "<b>"}, 400, invalid("reference", STRING)),
    (
        "reference-too-long",
        {**VALID, "reference": "r" * 256},
        422,
        invalid("reference", "Must be less than or equal to 255 characters length"),
    ),
    ("description-missing", without("description"), 400, missing("description")),
    ("description-object", {**VALID, "description": {}}, 400, invalid("description", STRING)),
    (
        "description-too-long",
        {**VALID, "description": "d" * 256},
        422,
        invalid("description", "Must be less than or equal to 255 characters length"),
    ),
    (
        "return-url-number",
        {**VALID, "return_url": 5},
        400,
        invalid("return_url", "Must be a valid URL format"),
    ),
    (
        "return-url-too-long",
        {**VALID, "return_url": "https://a.example/" + "x" * 1990},
        422,
        invalid("return_url", "Must be less than or equal to 2000 characters length"),
    ),
    ("moto-string", {**VALID, "moto": "yes"}, 400, invalid("moto", "Must be true or false")),
    ("moto-null", {**VALID, "moto": None}, 400, invalid("moto", "Must be true or false")),
    (
        "set-up-agreement-length",
        {**VALID, "set_up_agreement": "short"},
        422,
        invalid("set_up_agreement", "Field [set_up_agreement] length must be 26"),
    ),
    ("mode-number", {**VALID, "authorisation_mode": 1}, 400, invalid("authorisation_mode", MODES)),
    ("mode-blank", {**VALID, "authorisation_mode": ""}, 400, invalid("authorisation_mode", MODES)),
    ("mode-external", {**VALID, "authorisation_mode": "external"}, 422, invalid("authorisation_mode", MODES)),
    (
        "agreement-id-not-allowed",
        {**VALID, "agreement_id": "a" * 26},
        400,
        {"code": "P0104", "description": "Unexpected attribute: agreement_id"},
    ),
    (
        "agreement-id-blank",
        {**without("return_url"), "authorisation_mode": "agreement", "agreement_id": " "},
        400,
        missing("agreement_id"),
    ),
    (
        "agreement-id-number",
        {**without("return_url"), "authorisation_mode": "agreement", "agreement_id": 7},
        400,
        invalid("agreement_id", STRING),
    ),
    (
        "agreement-id-length",
        {**without("return_url"), "authorisation_mode": "agreement", "agreement_id": "abc"},
        422,
        invalid("agreement_id", "Field [agreement_id] length must be 26"),
    ),
    (
        "payment-type-not-allowed",
        {**VALID, "agreement_payment_type": "recurring"},
        400,
        {"code": "P0104", "description": "Unexpected attribute: agreement_payment_type"},
    ),
    (
        "payment-type-null",
        {**VALID, "set_up_agreement": "a" * 26, "agreement_payment_type": None},
        400,
        invalid("agreement_payment_type", TYPES),
    ),
    (
        "payment-type-unknown",
        {**VALID, "set_up_agreement": "a" * 26, "agreement_payment_type": "weekly"},
        422,
        invalid("agreement_payment_type", TYPES),
    ),
    ("language-number", {**VALID, "language": 1}, 400, invalid("language", 'Must be "en" or "cy"')),
    ("language-fr", {**VALID, "language": "fr"}, 422, invalid("language", 'Must be "en" or "cy"')),
    (
        "delayed-capture-string",
        {**VALID, "delayed_capture": "true"},
        400,
        invalid("delayed_capture", "Must be true or false"),
    ),
    ("email-number", {**VALID, "email": 1}, 400, invalid("email", "Field must be a string")),
    (
        "email-too-long",
        {**VALID, "email": "e" * 245 + "@example.org"},
        422,
        invalid("email", "Must be less than or equal to 254 characters length"),
    ),
    (
        "cardholder-name-number",
        {**VALID, "prefilled_cardholder_details": {"cardholder_name": 1}},
        400,
        invalid("cardholder_name", "Field must be a string"),
    ),
    (
        "cardholder-name-too-long",
        {**VALID, "prefilled_cardholder_details": {"cardholder_name": "n" * 256}},
        422,
        invalid("cardholder_name", "Must be less than or equal to 255 characters length"),
    ),
    (
        "line1-number",
        {**VALID, "prefilled_cardholder_details": {"billing_address": {"line1": 1}}},
        400,
        invalid("line1", "Field must be a string"),
    ),
    (
        "country-number",
        {**VALID, "prefilled_cardholder_details": {"billing_address": {"country": 44}}},
        400,
        invalid("country", "Field must be a string"),
    ),
    (
        "city-too-long",
        {**VALID, "prefilled_cardholder_details": {"billing_address": {"city": "c" * 256}}},
        422,
        invalid("city", "Must be less than or equal to 255 characters length"),
    ),
    (
        "postcode-too-long",
        {**VALID, "prefilled_cardholder_details": {"billing_address": {"postcode": "p" * 26}}},
        422,
        invalid("postcode", "Must be less than or equal to 25 characters length"),
    ),
    ("metadata-null", {**VALID, "metadata": None}, 422, invalid("metadata", "Value must not be null")),
    (
        "metadata-list",
        {**VALID, "metadata": [1]},
        422,
        invalid("metadata", "Must be an object of JSON key-value pairs"),
    ),
    (
        "metadata-too-many",
        {**VALID, "metadata": {f"k{i}": i for i in range(16)}},
        422,
        invalid("metadata", "Cannot have more than 15 key-value pairs"),
    ),
    ("metadata-long-key", {**VALID, "metadata": {"k" * 31: 1}}, 422, invalid("metadata", LONG_KEY_META)),
    ("metadata-empty-key", {**VALID, "metadata": {"": 1}}, 422, invalid("metadata", LONG_KEY_META)),
    (
        "metadata-nested",
        {**VALID, "metadata": {"a": {"b": 1}}},
        422,
        invalid("metadata", "Values must be of type String, Boolean or Number"),
    ),
    (
        "metadata-long-value",
        {**VALID, "metadata": {"a": "v" * 101}},
        422,
        invalid("metadata", "Values must be no greater than 100 characters long"),
    ),
    (
        "metadata-null-value",
        {**VALID, "metadata": {"a": None}},
        422,
        invalid("metadata", "Must not have null values"),
    ),
    (
        "metadata-case-duplicates",
        {**VALID, "metadata": {"Key": 1, "key": 2}},
        422,
        invalid("metadata", "Must have case insensitive unique keys"),
    ),
    (
        "metadata-several-problems",
        {**VALID, "metadata": {"k" * 31: None, "a": [1]}},
        422,
        invalid(
            "metadata",
            "Keys must be between 1 and 30 characters long. Values must be of type String, Boolean or Number. "
            "Must not have null values",
        ),
    ),
    ("source-card-api", {**VALID, "internal": {"source": "CARD_API"}}, 400, invalid("source", SOURCES)),
    ("source-number", {**VALID, "internal": {"source": 1}}, 400, invalid("source", SOURCES)),
    ("source-unknown", {**VALID, "internal": {"source": "CARD_POST"}}, 422, invalid("source", SOURCES)),
    # Not in the original: U+0000 can never be stored, so it is refused like an illegal character.
    ("nul-in-reference", {**VALID, "reference": "a\x00b"}, 400, invalid("reference", STRING)),
    ("nul-in-metadata", {**VALID, "metadata": {"k": "\x00"}}, 400, invalid("metadata", STRING)),
    # The parser's 400s come before the bean checks' 422s, whatever the field order.
    ("parser-before-beans", {**without("description"), "amount": -5}, 400, missing("description")),
    (
        "first-field-wins",
        {"amount": "x", "reference": 1},
        400,
        invalid("amount", "Must be a valid numeric format"),
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
async def test_invalid_body_is_refused_with_the_exact_error(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    connector_requests: list[httpx.Request],
    body: dict[str, Any],
    status: int,
    expected: dict[str, str],
) -> None:
    response = await publicapi_client.post("/v1/payments", json=body, headers=auth_headers)

    assert response.status_code == status, response.text
    assert response.json() == expected
    assert not [r for r in connector_requests if r.url.path.endswith("/charges")]


@pytest.mark.parametrize(
    "raw", [b"{", b"not json", b"[1, 2]", b""], ids=["truncated", "text", "array", "empty"]
)
async def test_unparsable_json_is_p0197(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], raw: bytes
) -> None:
    response = await publicapi_client.post(
        "/v1/payments", content=raw, headers={**auth_headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {"code": "P0197", "description": "Unable to parse JSON"}


@pytest.mark.parametrize(
    ("key", "description"),
    [
        ("k" * 256, "Header [Idempotency-Key] can have a size between 1 and 255"),
        ("not_allowed!", "Header [Idempotency-Key] can only contain alphanumeric characters and hyphens"),
    ],
)
async def test_invalid_idempotency_key_header(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], key: str, description: str
) -> None:
    response = await publicapi_client.post(
        "/v1/payments", json=VALID, headers={**auth_headers, "Idempotency-Key": key}
    )

    assert response.status_code == 422
    assert response.json() == {"header": "Idempotency-Key", "code": "P0102", "description": description}


async def test_amount_zero_and_unknown_keys_pass_publicapi(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], connector_requests: list[httpx.Request]
) -> None:
    # Zero goes on to connector (which decides); unknown keys are ignored.
    response = await publicapi_client.post(
        "/v1/payments", json={**VALID, "amount": 0, "colour": "blue"}, headers=auth_headers
    )

    assert response.status_code == 422
    assert response.json()["code"] == "P0102"
    sent = [r for r in connector_requests if r.url.path.endswith("/charges")]
    assert len(sent) == 1
    assert b"colour" not in sent[0].content
