"""POST /v1/payment_notification through publicapi → connector → PostgreSQL (§a.2, §d.6, §f.7)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccount
from tests.factories import create_account
from tests.publicapi.conftest import issue_api_key

pytestmark = pytest.mark.asyncio

NOTIFICATION: dict[str, Any] = {
    "amount": 12000,
    "reference": "MRPC12345",
    "description": "New passport application",
    "created_date": "2018-02-21T16:04:25Z",
    "authorised_date": "2018-02-21T16:05:33Z",
    "processor_id": "183f2j8923j8",
    "provider_id": "17498-8412u9-1273891239",
    "auth_code": "auth12345",
    "payment_outcome": {"status": "success"},
    "card_type": "master-card",
    "name_on_card": "J Doe",
    "email_address": "j.doe@example.com",
    "card_expiry": "02/19",
    "last_four_digits": "1234",
    "first_six_digits": "654321",
    "telephone_number": "+447700900796",
}


@pytest_asyncio.fixture
async def telephone_headers(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> dict[str, str]:
    account = await create_account(db_session, allow_telephone_payment_notifications=True)
    key = await issue_api_key(connector_client, account.id)
    return {"Authorization": f"Bearer {key}"}


async def test_records_a_telephone_payment_once(
    publicapi_client: httpx.AsyncClient, telephone_headers: dict[str, str], db_session: AsyncSession
) -> None:
    first = await publicapi_client.post(
        "/v1/payment_notification", json=NOTIFICATION, headers=telephone_headers
    )
    again = await publicapi_client.post(
        "/v1/payment_notification", json={**NOTIFICATION, "amount": 1}, headers=telephone_headers
    )

    assert first.status_code == 201, first.text
    assert again.status_code == 200
    payment = first.json()
    assert again.json()["payment_id"] == payment["payment_id"]
    assert again.json()["amount"] == 12000
    assert payment["state"] == {"status": "success", "finished": True}
    assert payment["payment_outcome"] == {"status": "success"}
    for key in (
        "amount",
        "reference",
        "description",
        "processor_id",
        "provider_id",
        "auth_code",
        "card_type",
        "name_on_card",
        "email_address",
        "card_expiry",
        "last_four_digits",
        "first_six_digits",
        "telephone_number",
    ):
        assert payment[key] == NOTIFICATION[key], key
    assert payment["created_date"].startswith("2018-02-21T16:04:25")
    assert "location" not in first.headers
    assert await db_session.scalar(select(func.count()).select_from(Charge)) == 1


async def test_failed_outcome_reports_its_code(
    publicapi_client: httpx.AsyncClient, telephone_headers: dict[str, str]
) -> None:
    outcome = {
        "status": "failed",
        "code": "P0010",
        "supplemental": {"error_code": "E1", "error_message": "rejected"},
    }
    response = await publicapi_client.post(
        "/v1/payment_notification",
        json={**NOTIFICATION, "payment_outcome": outcome},
        headers=telephone_headers,
    )

    assert response.status_code == 201, response.text
    assert response.json()["payment_outcome"] == outcome
    assert response.json()["state"]["status"] == "failed"
    assert response.json()["state"]["code"] == "P0010"


async def test_account_without_telephone_notifications_is_p0930(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], sandbox_account: GatewayAccount
) -> None:
    response = await publicapi_client.post(
        "/v1/payment_notification", json=NOTIFICATION, headers=auth_headers
    )

    assert response.status_code == 403
    assert response.json() == {
        "code": "P0930",
        "description": "Access to this resource is not enabled for this account. Contact support with your "
        "error code - https://www.payments.service.gov.uk/support/ .",
    }


def invalid(field: str, detail: str) -> dict[str, str]:
    return {"field": field, "code": "P0102", "description": f"Invalid attribute value: {field}. {detail}"}


def missing(field: str) -> dict[str, str]:
    return {"field": field, "code": "P0101", "description": f"Missing mandatory attribute: {field}"}


def without(field: str) -> dict[str, Any]:
    return {key: value for key, value in NOTIFICATION.items() if key != field}


CASES: list[tuple[str, dict[str, Any], dict[str, str]]] = [
    (
        "amount-negative",
        {**NOTIFICATION, "amount": -1},
        invalid("amount", "Must be greater than or equal to 1"),
    ),
    (
        "amount-too-big",
        {**NOTIFICATION, "amount": 10_000_001},
        invalid("amount", "Must be less than or equal to 10000000"),
    ),
    ("amount-float", {**NOTIFICATION, "amount": 1.5}, invalid("amount", "Must be a valid numeric format")),
    ("reference-missing", without("reference"), missing("reference")),
    ("description-null", {**NOTIFICATION, "description": None}, missing("description")),
    (
        "reference-too-long",
        {**NOTIFICATION, "reference": "r" * 256},
        invalid("reference", "Must be less than or equal to 255 characters length"),
    ),
    ("reference-number", {**NOTIFICATION, "reference": 5}, invalid("reference", "Must be of type String")),
    ("processor-missing", without("processor_id"), missing("processor_id")),
    ("provider-missing", without("provider_id"), missing("provider_id")),
    ("outcome-missing", without("payment_outcome"), missing("payment_outcome")),
    (
        "nul-in-auth-code",
        {**NOTIFICATION, "auth_code": "a\x00"},
        invalid("auth_code", "Must be a valid string format"),
    ),
    (
        "outcome-success-with-code",
        {**NOTIFICATION, "payment_outcome": {"status": "success", "code": "P0010"}},
        invalid("payment_outcome", "Field [payment_outcome] must include a valid status and error code"),
    ),
    (
        "outcome-failed-bad-code",
        {**NOTIFICATION, "payment_outcome": {"status": "failed", "code": "P0020"}},
        invalid("payment_outcome", "Field [payment_outcome] must include a valid status and error code"),
    ),
    (
        "created-date",
        {**NOTIFICATION, "created_date": "2018-02-21 16:04"},
        invalid("created_date", "Field [created_date] must be a valid ISO-8601 time and date format"),
    ),
    (
        "authorised-date-no-zone",
        {**NOTIFICATION, "authorised_date": "2018-02-21T16:05:33"},
        invalid("authorised_date", "Field [authorised_date] must be a valid ISO-8601 time and date format"),
    ),
    (
        "card-type",
        {**NOTIFICATION, "card_type": "discover"},
        invalid(
            "card_type",
            "Field [card_type] must be either master-card, visa, maestro, diners-club, american-express or jcb",
        ),
    ),
    (
        "card-expiry",
        {**NOTIFICATION, "card_expiry": "13/19"},
        invalid("card_expiry", "Field [card_expiry] must have valid MM/YY"),
    ),
    (
        "last-four",
        {**NOTIFICATION, "last_four_digits": "123"},
        invalid("last_four_digits", "Field [last_four_digits] must be exactly 4 digits"),
    ),
    (
        "first-six",
        {**NOTIFICATION, "first_six_digits": "12345a"},
        invalid("first_six_digits", "Field [first_six_digits] must be exactly 6 digits"),
    ),
]


@pytest.mark.parametrize(("body", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_invalid_notification_is_422(
    publicapi_client: httpx.AsyncClient,
    telephone_headers: dict[str, str],
    db_session: AsyncSession,
    body: dict[str, Any],
    expected: dict[str, str],
) -> None:
    response = await publicapi_client.post("/v1/payment_notification", json=body, headers=telephone_headers)

    assert response.status_code == 422, response.text
    assert response.json() == expected
    assert await db_session.scalar(select(func.count()).select_from(Charge)) == 0
