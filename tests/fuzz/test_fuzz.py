"""Contract-driven fuzzing: schemathesis requests generated from each service's own OpenAPI
document against the real apps on free ports (publicapi → connector → PostgreSQL); not one
answer may be a 5xx.

``FUZZ_REQUESTS`` (per service, default 150: the quick variant ``make test`` runs) sets how many
requests each service gets; ``make fuzz`` asks for 5,000. The count actually sent is printed
and checked, so a run cannot pass by generating nothing.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from connector.app import create_app as create_connector_app
from connector.config import Settings as ConnectorSettings
from frontend.app import create_app as create_frontend_app
from frontend.config import Settings as FrontendSettings
from pay_common.logging import configure_logging
from publicapi.app import create_app as create_publicapi_app
from publicapi.config import Settings as PublicApiSettings
from tests.served import serve
from tests.service_tokens import service_token_headers

REQUESTS = int(os.environ.get("FUZZ_REQUESTS", "150"))
HIGH_LIMIT = 1_000_000
#: Rounds of generation (new seeds) before giving up on reaching REQUESTS.
MAX_ROUNDS = 6


@pytest.fixture(scope="module")
def connector_url(connector_settings: ConnectorSettings) -> Iterator[str]:
    with serve(create_connector_app(connector_settings)) as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def quiet_logs(connector_url: str, publicapi_url: str, frontend_url: str) -> Iterator[None]:
    """Thousands of access lines would cost more than the requests: warnings only, then back."""
    configure_logging(service="fuzz", level="WARNING", json=True)
    yield
    configure_logging(service="tests", level="INFO", json=True)


@pytest.fixture(scope="module")
def publicapi_url(connector_url: str) -> Iterator[str]:
    publicapi_settings = PublicApiSettings(
        connector_url=connector_url,
        log_level="WARNING",
        rate_limiter_value=HIGH_LIMIT,
        rate_limiter_value_post=HIGH_LIMIT,
        rate_limiter_value_per_node=HIGH_LIMIT,
        rate_limiter_value_per_node_post=HIGH_LIMIT,
    )
    with serve(create_publicapi_app(publicapi_settings)) as url:
        yield url


@pytest.fixture(scope="module")
def frontend_url(connector_url: str) -> Iterator[str]:
    with serve(
        create_frontend_app(FrontendSettings(connector_url=connector_url, log_level="WARNING"))
    ) as url:
        yield url


@pytest.fixture(scope="module")
def api_key_headers(connector_url: str) -> dict[str, str]:
    with httpx.Client(base_url=connector_url, headers=service_token_headers()) as client:
        account = client.post("/v1/api/accounts", json={"service_id": "fuzz", "payment_provider": "sandbox"})
        assert account.status_code == 201, account.text
        key = client.post(
            "/v1/frontend/auth",
            json={
                "account_id": str(account.json()["gateway_account_id"]),
                "description": "fuzz",
                "created_by": "t",
            },
        )
        assert key.status_code == 200, key.text
    return {"Authorization": f"Bearer {key.json()['token']}"}


def _operations(url: str) -> list[Any]:
    spec = httpx.get(f"{url}/openapi.json").raise_for_status().json()
    schema = schemathesis.openapi.from_dict(spec)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"{url}/openapi.json: {result}"
        operations.append(result.ok())
    return operations


def fuzz(url: str, headers: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Send at least REQUESTS generated requests spread over every operation; returns
    (requests sent, the failures)."""
    operations = _operations(url)
    per_operation = math.ceil(REQUESTS / len(operations))
    sent = 0
    failures: list[str] = []
    with requests.Session() as session:  # one connection pool: a new one per request costs more
        for round_number in range(MAX_ROUNDS):
            for operation in operations:
                sent += _fuzz_operation(
                    operation, url, headers, session, per_operation, round_number, failures
                )
            if sent >= REQUESTS:
                break
    return sent, failures


def _fuzz_operation(
    operation: Any,
    url: str,
    headers: dict[str, str] | None,
    session: requests.Session,
    examples: int,
    seed: int,
    failures: list[str],
) -> int:
    sent = 0

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=seed == 0,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        nonlocal sent
        sent += 1
        # No redirects: the payment pages send unknown paths to www.gov.uk, not ours to fetch.
        response = case.call(
            base_url=url, headers=headers, session=session, timeout=30, allow_redirects=False
        )
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (Exception, BaseExceptionGroup):  # collect every failure rather than stop at the first
            # The whole request and the answer: a failure must be reproducible from the report alone.
            failures.append(f"{response.status_code} {response.text[:500]!r} <- {case.as_curl_command()}")

    check()
    return sent


def _report(service: str, sent: int, failures: list[str]) -> None:
    print(f"\nfuzz {service}: {sent} generated requests, {len(failures)} server errors")  # noqa: T201 (the run's figures, for make fuzz)
    for failure in failures:
        print(f"  {failure}")  # noqa: T201 (printed whole: pytest's assertion shortens them)
    assert failures == []
    assert sent >= REQUESTS


def test_connector_never_answers_5xx(connector_url: str) -> None:
    # With a service token: without one every API route is a 401, and nothing behind it is fuzzed.
    sent, failures = fuzz(connector_url, service_token_headers(ttl_seconds=3600))
    _report("connector", sent, failures)


def test_publicapi_never_answers_5xx(publicapi_url: str, api_key_headers: dict[str, str]) -> None:
    sent, failures = fuzz(publicapi_url, api_key_headers)
    _report("publicapi", sent, failures)


def test_payment_pages_never_answer_5xx(frontend_url: str) -> None:
    sent, failures = fuzz(frontend_url)
    _report("frontend", sent, failures)
