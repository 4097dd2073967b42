"""GET /v1/payments through publicapi → connector search → PostgreSQL (publicapi.md §d.7, §f.4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from tests.factories import create_account
from tests.publicapi.conftest import PUBLICAPI_BASE_URL
from tests.publicapi.factories import create_charge

pytestmark = pytest.mark.asyncio

INVALID = "See Public API documentation for the correct data formats"


def query_of(href: str) -> dict[str, list[str]]:
    parts = urlsplit(href)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLICAPI_BASE_URL
    return parse_qs(parts.query)


async def test_lists_the_accounts_payments_newest_first(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    now = datetime.now(UTC)
    older = await create_charge(
        db_session, sandbox_account, reference="A", created_date=now - timedelta(hours=1)
    )
    newer = await create_charge(db_session, sandbox_account, reference="B", created_date=now)
    other = await create_account(db_session)
    await create_charge(db_session, other, reference="A")

    response = await publicapi_client.get("/v1/payments", headers=auth_headers)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert (body["total"], body["count"], body["page"]) == (2, 2, 1)
    assert [p["payment_id"] for p in body["results"]] == [newer.external_id, older.external_id]
    first = body["results"][0]
    self_url = f"{PUBLICAPI_BASE_URL}/v1/payments/{newer.external_id}"
    assert set(first["_links"]) == {"self", "events", "refunds", "cancel"}
    assert first["_links"]["self"] == {"href": self_url, "method": "GET"}
    assert "next_url" not in first["_links"]
    assert set(body["_links"]) == {"self", "first_page", "last_page"}


async def test_reference_matches_exactly(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    exact = await create_charge(db_session, sandbox_account, reference="INV-1")
    await create_charge(db_session, sandbox_account, reference="INV-10")
    await create_charge(db_session, sandbox_account, reference="XINV-1")

    response = await publicapi_client.get("/v1/payments", params={"reference": "INV-1"}, headers=auth_headers)

    body = response.json()
    assert body["total"] == 1
    assert [p["payment_id"] for p in body["results"]] == [exact.external_id]
    assert query_of(body["_links"]["self"]["href"])["reference"] == ["INV-1"]


async def test_filters_by_state_email_card_and_dates(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    now = datetime.now(UTC)
    success = await create_charge(
        db_session,
        sandbox_account,
        status="CAPTURED",
        email="ada@example.org",
        card_brand="visa",
        cardholder_name="Ada Lovelace",
        first_digits_card_number="424242",
        last_digits_card_number="4242",
        created_date=now - timedelta(days=2),
    )
    await create_charge(db_session, sandbox_account, status="CREATED", email="bob@example.org")

    searches = [
        {"state": "success"},
        {"email": "ada@example.org"},
        {"card_brand": "VISA"},
        {"cardholder_name": "Ada Lovelace"},
        {"first_digits_card_number": "424242"},
        {"last_digits_card_number": "4242"},
        {"to_date": (now - timedelta(days=1)).isoformat().replace("+00:00", "Z")},
    ]
    for params in searches:
        response = await publicapi_client.get("/v1/payments", params=params, headers=auth_headers)
        assert response.status_code == 200, (params, response.text)
        assert [p["payment_id"] for p in response.json()["results"]] == [success.external_id], params

    settled = await publicapi_client.get(
        "/v1/payments", params={"from_settled_date": "2020-01-01"}, headers=auth_headers
    )
    assert settled.json()["total"] == 0  # nothing is settled without payouts


async def test_pages_with_navigation_links(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    now = datetime.now(UTC)
    for index in range(5):
        await create_charge(db_session, sandbox_account, created_date=now - timedelta(minutes=index))

    response = await publicapi_client.get(
        "/v1/payments", params={"page": "2", "display_size": "2", "email": ""}, headers=auth_headers
    )

    body = response.json()
    assert (body["total"], body["count"], body["page"]) == (5, 2, 2)
    links = body["_links"]
    assert query_of(links["self"]["href"]) == {"page": ["2"], "display_size": ["2"]}
    assert query_of(links["first_page"]["href"])["page"] == ["1"]
    assert query_of(links["prev_page"]["href"])["page"] == ["1"]
    assert query_of(links["next_page"]["href"])["page"] == ["3"]
    assert query_of(links["last_page"]["href"])["page"] == ["3"]
    assert urlsplit(links["self"]["href"]).path == "/v1/payments"


async def test_page_past_the_end_is_p0402(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
) -> None:
    await create_charge(db_session, sandbox_account)

    response = await publicapi_client.get("/v1/payments", params={"page": "2"}, headers=auth_headers)

    assert response.status_code == 404
    assert response.json() == {"code": "P0402", "description": "Page not found"}


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"state": "capturable"}, "state"),
        ({"reference": "r" * 256}, "reference"),
        ({"email": "e" * 255}, "email"),
        ({"card_brand": "b" * 21}, "card_brand"),
        ({"from_date": "2015-08-13"}, "from_date"),
        ({"to_date": "2015-08-13T12:35:00"}, "to_date"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"display_size": "501"}, "display_size"),
        ({"display_size": "abc"}, "display_size"),
        ({"first_digits_card_number": "12345"}, "first_digits_card_number"),
        ({"last_digits_card_number": "12a4"}, "last_digits_card_number"),
        ({"from_settled_date": "2020-13-01"}, "from_settled_date"),
        ({"to_settled_date": "2020-01-01T00:00:00Z"}, "to_settled_date"),
        (
            {
                "to_settled_date": "x",
                "page": "x",
                "state": "x",
                "from_date": "x",
                "last_digits_card_number": "x",
            },
            "state, from_date, page, last_digits_card_number, to_settled_date",
        ),
    ],
)
async def test_invalid_parameters_are_p0401_naming_each_one(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, str], names: str
) -> None:
    response = await publicapi_client.get("/v1/payments", params=params, headers=auth_headers)

    assert response.status_code == 422
    assert response.json() == {"code": "P0401", "description": f"Invalid parameters: {names}. {INVALID}"}


async def test_valid_dates_with_offsets_are_accepted(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await publicapi_client.get(
        "/v1/payments",
        params={"from_date": "2015-08-13T12:35:00+01:00", "to_date": "2030-08-13T12:35:00Z"},
        headers=auth_headers,
    )

    assert response.status_code == 200
    assert response.json()["total"] == 0


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"page": "2147483648"}, "page"),
        ({"reference": "a\x00b"}, "reference"),
        ({"cardholder_name": "\x00", "state": "x"}, "state, cardholder_name"),
    ],
    ids=["page-beyond-int32", "nul-in-reference", "nul-in-unvalidated-filter"],
)
async def test_unusable_values_are_p0401_not_a_server_error(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, str], names: str
) -> None:
    response = await publicapi_client.get("/v1/payments", params=params, headers=auth_headers)

    assert response.status_code == 422
    assert response.json() == {"code": "P0401", "description": f"Invalid parameters: {names}. {INVALID}"}


@pytest.mark.parametrize("params", [{"agreement_id": "a" * 27}, {"cardholder_name": "n" * 256}])
async def test_filters_longer_than_any_stored_value_match_nothing(
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sandbox_account: GatewayAccount,
    db_session: AsyncSession,
    params: dict[str, str],
) -> None:
    await create_charge(db_session, sandbox_account)

    response = await publicapi_client.get("/v1/payments", params=params, headers=auth_headers)

    assert response.status_code == 200
    assert (response.json()["total"], response.json()["results"]) == (0, [])
