"""Schemathesis, driven by the contract, against our running publicapi (→ connector → PostgreSQL).

Both services are served for real on free ports. For each implemented operation a small
number of generated requests (valid key, random bodies, ids and query strings, plus a real
payment's id half of the time) must never get a 5xx, and every response must match the
contract's schema for its status.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from connector.app import create_app as create_connector_app
from connector.config import Settings as ConnectorSettings
from publicapi.app import create_app as create_publicapi_app
from publicapi.config import Settings as PublicApiSettings
from tests.contract.shared import load_spec, shared_available
from tests.contract.test_openapi_conformance import IMPLEMENTED
from tests.served import serve
from tests.service_tokens import service_token_headers

#: Generated requests per operation: enough to find a crash, small enough to stay fast.
MAX_EXAMPLES = 12
#: Path ids are opaque strings; ones a URL cannot carry as one segment are left out.
USABLE_ID = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")
HIGH_LIMIT = 1_000_000


@pytest.fixture(scope="module")
def connector_url(connector_settings: ConnectorSettings) -> Iterator[str]:
    with serve(create_connector_app(connector_settings)) as url:
        yield url


@pytest.fixture(scope="module")
def publicapi_url(connector_url: str) -> Iterator[str]:
    # Limits far above what the run sends: this checks shapes, not the rate limiter.
    publicapi_settings = PublicApiSettings(
        connector_url=connector_url,
        log_json=True,
        rate_limiter_value=HIGH_LIMIT,
        rate_limiter_value_post=HIGH_LIMIT,
        rate_limiter_value_per_node=HIGH_LIMIT,
        rate_limiter_value_per_node_post=HIGH_LIMIT,
    )
    app = create_publicapi_app(publicapi_settings)
    with serve(app) as url:
        publicapi_settings.base_url = url
        yield url


@pytest.fixture(scope="module")
def auth_headers(connector_url: str) -> dict[str, str]:
    """A sandbox account with telephone notifications off and the MOTO API on, and a key for it."""
    with httpx.Client(base_url=connector_url, headers=service_token_headers()) as client:
        account = client.post(
            "/v1/api/accounts", json={"service_id": "schemathesis", "payment_provider": "sandbox"}
        )
        assert account.status_code == 201, account.text
        account_id = account.json()["gateway_account_id"]
        moto_api = client.patch(
            f"/v1/api/accounts/{account_id}",
            json={"op": "replace", "path": "allow_authorisation_api", "value": True},
        )
        assert moto_api.status_code == 200, moto_api.text
        key = client.post(
            "/v1/frontend/auth",
            json={"account_id": str(account_id), "description": "schemathesis", "created_by": "tests"},
        )
        assert key.status_code == 200, key.text
    return {"Authorization": f"Bearer {key.json()['token']}"}


@pytest.fixture(scope="module")
def known_payment_id(publicapi_url: str, auth_headers: dict[str, str]) -> str:
    body = {
        "amount": 1000,
        "reference": "REF",
        "description": "Schemathesis",
        "return_url": "https://s.example/r",
    }
    response = httpx.post(f"{publicapi_url}/v1/payments", json=body, headers=auth_headers)
    assert response.status_code == 201, response.text
    payment_id: str = response.json()["payment_id"]
    return payment_id


def with_errata(spec: dict[str, Any]) -> dict[str, Any]:
    """The contract with its known defects corrected, each named here.

    ``PostLink.params`` says every parameter value is an object, but the real API (and every
    client that posts ``next_url_post``) uses strings: ``{"chargeTokenId": "<token>"}``,
    ``{"one_time_token": "<token>"}`` (publicapi.md §f.1). We keep the real shape.

    ``card_details`` always carries every key, null when unknown (publicapi.md §f.1; the
    contract hints at it with the string ``"null"`` in ``card_type``'s enum) but its schemas do
    not mark the keys nullable. They are read as nullable here.
    """
    schemas = spec["components"]["schemas"]
    schemas["PostLink"]["properties"]["params"]["additionalProperties"] = {"type": "string"}
    for name in ("CardDetails", "CardDetailsFromResponse"):
        properties = schemas[name]["properties"]
        for key, prop in properties.items():
            if "$ref" in prop:
                properties[key] = {"nullable": True, "allOf": [prop]}
                continue
            prop["nullable"] = True
            if "enum" in prop:
                prop["enum"] = [*prop["enum"], None]
    return spec


@pytest.fixture(scope="module")
def schema() -> Any:
    return schemathesis.openapi.from_dict(with_errata(load_spec()))


def _usable(case: Any) -> bool:
    return all(USABLE_ID.match(str(value)) for value in (case.path_parameters or {}).values())


@pytest.mark.skipif(not shared_available(), reason="shared contracts absent: schemathesis run skipped")
@pytest.mark.parametrize(("method", "path"), IMPLEMENTED, ids=[f"{m.upper()} {p}" for m, p in IMPLEMENTED])
def test_operation_never_fails_or_breaks_the_contract(
    schema: Any,
    method: str,
    path: str,
    publicapi_url: str,
    auth_headers: dict[str, str],
    known_payment_id: str,
) -> None:
    operation = schema[path][method.upper()]

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), use_known_payment=st.booleans())
    def check(case: Any, use_known_payment: bool) -> None:
        if case.path_parameters and "paymentId" in case.path_parameters and use_known_payment:
            case.path_parameters["paymentId"] = known_payment_id
        if not _usable(case):
            return
        case.call_and_validate(
            base_url=publicapi_url,
            headers=auth_headers,
            checks=[not_a_server_error, response_schema_conformance],
        )

    check()


@pytest.mark.skipif(not shared_available(), reason="shared contracts absent: schemathesis run skipped")
def test_successful_journey_matches_the_contract(
    schema: Any, publicapi_url: str, auth_headers: dict[str, str]
) -> None:
    """Random data rarely makes a valid payment: create, read, search and cancel one explicitly."""
    create = schema["/v1/payments"]["POST"].Case(
        body={
            "amount": 2500,
            "reference": "JOURNEY-1",
            "description": "Contract journey",
            "return_url": "https://service.example/return",
            "metadata": {"ledger_code": 12, "paid": False},
            "email": "payer@example.org",
            "prefilled_cardholder_details": {"cardholder_name": "A Payer"},
        },
        media_type="application/json",
    )
    checks = [not_a_server_error, response_schema_conformance]
    created = create.call_and_validate(base_url=publicapi_url, headers=auth_headers, checks=checks)
    assert created.status_code == 201
    payment_id = created.json()["payment_id"]

    calls: list[tuple[str, str, dict[str, Any]]] = [
        ("/v1/payments/{paymentId}", "GET", {"path_parameters": {"paymentId": payment_id}}),
        ("/v1/payments/{paymentId}/events", "GET", {"path_parameters": {"paymentId": payment_id}}),
        ("/v1/payments/{paymentId}/refunds", "GET", {"path_parameters": {"paymentId": payment_id}}),
        ("/v1/payments", "GET", {"query": {"reference": "JOURNEY-1", "display_size": "1"}}),
        ("/v1/refunds", "GET", {"query": {"page": "1"}}),
        ("/v1/payments/{paymentId}/cancel", "POST", {"path_parameters": {"paymentId": payment_id}}),
    ]
    for path, method, parts in calls:
        case = schema[path][method].Case(**parts)
        response = case.call_and_validate(base_url=publicapi_url, headers=auth_headers, checks=checks)
        assert response.status_code in (200, 204), (path, response.text)


@pytest.mark.skipif(not shared_available(), reason="shared contracts absent: schemathesis run skipped")
def test_moto_api_journey_matches_the_contract(
    schema: Any, publicapi_url: str, auth_headers: dict[str, str]
) -> None:
    """A moto_api payment authorised through ``/v1/auth`` with its one-time token, then read."""
    checks = [not_a_server_error, response_schema_conformance]
    create = schema["/v1/payments"]["POST"].Case(
        body={
            "amount": 1500,
            "reference": "MOTO-1",
            "description": "Phone",
            "authorisation_mode": "moto_api",
        },
        media_type="application/json",
    )
    created = create.call_and_validate(base_url=publicapi_url, headers=auth_headers, checks=checks)
    assert created.status_code == 201, created.text
    payment = created.json()
    card = {
        "one_time_token": payment["_links"]["auth_url_post"]["params"]["one_time_token"],
        "card_number": "4242424242424242",
        "cvc": "123",
        "expiry_date": "09/39",
        "cardholder_name": "J. Citizen",
    }
    authorise = schema["/v1/auth"]["POST"].Case(body=card, media_type="application/json")
    for expected in (204, 400):  # the second use of the token is refused
        response = authorise.call_and_validate(base_url=publicapi_url, checks=checks)
        assert response.status_code == expected, response.text
    read = schema["/v1/payments/{paymentId}"]["GET"].Case(
        path_parameters={"paymentId": payment["payment_id"]}
    )
    got = read.call_and_validate(base_url=publicapi_url, headers=auth_headers, checks=checks)
    assert got.json()["state"]["status"] == "success"
