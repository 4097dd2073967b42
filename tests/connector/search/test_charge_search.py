"""Charge search through HTTP: every filter, paging and links, validation, and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.models import Charge, Fee, GatewayAccount
from connector.search import repository, service
from connector.search.schemas import ChargeSearch
from pay_common.ids import new_external_id
from tests.factories import create_account, create_charge

pytestmark = pytest.mark.asyncio

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


async def seed(session: AsyncSession) -> tuple[GatewayAccount, dict[str, Charge]]:
    """Five charges one hour apart (newest last), each distinguishable by one filter."""
    account = await create_account(session)
    specs: dict[str, dict[str, Any]] = {
        "a": {"reference": "Passport-ABC", "email": "alice@example.com", "status": ChargeStatus.CREATED},
        "b": {
            "reference": "licence-xyz",
            "email": "bob@Example.org",
            "status": ChargeStatus.CAPTURED,
            "card_brand": "visa",
            "cardholder_name": "Bob Builder",
            "first_digits_card_number": "424242",
            "last_digits_card_number": "4242",
            "card_type": "CREDIT",
        },
        "c": {
            "reference": "PASSPORT-def",
            "status": ChargeStatus.USER_CANCELLED,
            "card_brand": "master-card",
            "cardholder_name": "Carol Smith",
            "first_digits_card_number": "510510",
            "last_digits_card_number": "5100",
        },
        "d": {"reference": "fishing 100%_off", "status": ChargeStatus.AUTHORISATION_SUCCESS},
        "e": {
            "reference": "agreement-pay",
            "status": ChargeStatus.CAPTURE_SUBMITTED,
            "agreement_external_id": "agr1",
        },
    }
    charges = {}
    for index, (name, spec) in enumerate(specs.items()):
        charges[name] = await create_charge(
            session, account, created_date=T0 + timedelta(hours=index), **spec
        )
    return account, charges


async def search(client: httpx.AsyncClient, account_id: int, **params: Any) -> httpx.Response:
    return await client.get(f"/v1/api/accounts/{account_id}/charges", params=params)


def ids(response: httpx.Response, charges: dict[str, Charge]) -> list[str]:
    names = {c.external_id: name for name, c in charges.items()}
    return [names[r["charge_id"]] for r in response.json()["results"]]


#: (query parameters, expected charges newest first) over the five charges of ``seed``.
FILTER_CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["e", "d", "c", "b", "a"]),
    ({"reference": "passport"}, ["c", "a"]),
    ({"reference": "PASSPORT-ABC"}, ["a"]),
    ({"reference": "100%_"}, ["d"]),  # wildcards are literal
    ({"reference": "%"}, ["d"]),
    ({"email": "example"}, ["b", "a"]),
    ({"email": "EXAMPLE.ORG"}, ["b"]),
    ({"state": "success"}, ["e", "b"]),
    ({"state": "submitted"}, ["d"]),
    ({"state": "failed"}, ["c"]),
    ({"state": "created"}, ["a"]),
    ({"card_brand": "visa"}, ["b"]),
    ({"card_brand": ["VISA", "master-card"]}, ["c", "b"]),
    ({"cardholder_name": "smith"}, ["c"]),
    ({"first_digits_card_number": "424242"}, ["b"]),
    ({"last_digits_card_number": "5100"}, ["c"]),
    ({"agreement_id": "agr1"}, ["e"]),
    ({"from_date": "2024-03-01T13:00:00Z"}, ["e", "d", "c", "b"]),  # inclusive
    ({"to_date": "2024-03-01T14:00:00Z"}, ["b", "a"]),  # exclusive
    ({"from_date": "2024-03-01T14:00:00+01:00", "to_date": "2024-03-01T15:00:00Z"}, ["c", "b"]),
    ({"reference": "passport", "state": "failed"}, ["c"]),
]


async def test_each_filter(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account, charges = await seed(db_session)

    for params, expected in FILTER_CASES:
        response = await search(connector_client, account.id, **params)

        assert response.status_code == 200, params
        assert ids(response, charges) == expected, params
        assert response.json()["total"] == len(expected), params


async def test_other_accounts_are_invisible(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, _ = await seed(db_session)
    other = await create_account(db_session)
    await create_charge(db_session, other, reference="Passport-other")

    response = await search(connector_client, account.id, reference="passport")

    assert response.json()["total"] == 2


async def test_result_is_the_charge_view(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charges = await seed(db_session)

    result = (await search(connector_client, account.id, reference="licence")).json()["results"][0]

    charge = charges["b"]
    self_href = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge.external_id}"
    assert result["charge_id"] == charge.external_id
    assert result["amount"] == 1000
    assert result["state"] == {"status": "success", "finished": True}
    assert result["created_date"] == "2024-03-01T13:00:00.000Z"
    assert result["refund_summary"] == {
        "status": "available",
        "user_external_id": None,
        "amount_available": 1000,
        "amount_submitted": 0,
    }
    assert result["card_details"] == {
        "last_digits_card_number": "4242",
        "first_digits_card_number": "424242",
        "cardholder_name": "Bob Builder",
        "card_brand": "Visa",
        "card_type": "credit",
    }
    assert result["links"] == [
        {"rel": "self", "method": "GET", "href": self_href},
        {"rel": "refunds", "method": "GET", "href": f"{self_href}/refunds"},
    ]
    assert result["authorisation_mode"] == "web"
    assert "settlement_summary" in result


async def test_metadata_of_any_size_and_script_is_returned_as_stored(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    # The page is rendered by orjson, which refuses integers beyond 64 bits: such a page must
    # still come back (not a 500), with the numbers and non-ASCII text exactly as stored.
    account = await create_account(db_session)
    metadata = {"big": 10**30, "ratio": 0.25, "name": "Siân Jones ✓", "ok": True}
    await create_charge(db_session, account, reference="meta-big", external_metadata=metadata)
    await create_charge(db_session, account, reference="meta-small", external_metadata={"n": 7, "w": "ŵ"})

    response = await search(connector_client, account.id, reference="meta")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    by_reference = {r["reference"]: r["metadata"] for r in response.json()["results"]}
    assert by_reference == {"meta-big": metadata, "meta-small": {"n": 7, "w": "ŵ"}}
    assert "Siân Jones ✓".encode() in response.content  # UTF-8, not \u escapes


async def test_refund_summary_counts_refunds(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charges = await seed(db_session)
    charge_id = charges["b"].external_id
    refund = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges/{charge_id}/refunds",
        json={"amount": 400, "refund_amount_available": 1000},
    )
    assert refund.status_code == 202

    result = (await search(connector_client, account.id, reference="licence")).json()["results"][0]

    assert result["refund_summary"] == {
        "status": "available",
        "user_external_id": None,
        "amount_available": 600,
        "amount_submitted": 400,
    }


async def test_paging_and_links(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account, charges = await seed(db_session)

    response = await search(
        connector_client, account.id, display_size=2, page=2, from_date="2024-01-01T00:00:00Z"
    )

    body = response.json()
    assert body["total"] == 5
    assert body["count"] == 2
    assert body["page"] == 2
    assert ids(response, charges) == ["c", "b"]
    base = f"http://connector.test/v1/api/accounts/{account.id}/charges?from_date=2024-01-01T00%3A00%3A00Z"
    assert body["_links"] == {
        "self": {"href": f"{base}&page=2&display_size=2"},
        "first_page": {"href": f"{base}&page=1&display_size=2"},
        "last_page": {"href": f"{base}&page=3&display_size=2"},
        "prev_page": {"href": f"{base}&page=1&display_size=2"},
        "next_page": {"href": f"{base}&page=3&display_size=2"},
    }
    last = await search(
        connector_client, account.id, display_size=2, page=3, from_date="2024-01-01T00:00:00Z"
    )
    assert ids(last, charges) == ["a"]
    assert "next_page" not in last.json()["_links"]


async def test_page_past_the_end_is_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, _ = await seed(db_session)

    response = await search(connector_client, account.id, display_size=5, page=2)
    empty = await search(connector_client, account.id, reference="nothing-matches")

    assert response.status_code == 404
    assert response.json() == {"error_identifier": "GENERIC", "message": ["the requested page not found"]}
    assert empty.status_code == 200
    assert empty.json()["results"] == []
    assert empty.json()["total"] == 0


async def test_every_bad_parameter_is_named(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)

    response = await search(
        connector_client,
        account.id,
        state="bogus",
        first_digits_card_number="12345",
        last_digits_card_number="12a4",
        from_date="2024-03-01",
        to_date="yesterday",
        page="0",
        display_size="501",
    )

    assert response.status_code == 400
    assert response.json() == {
        "error_identifier": "GENERIC",
        "message": [
            "Invalid parameters: state, first_digits_card_number, last_digits_card_number, from_date, to_date, "
            "page, display_size. See Public API documentation for the correct data formats"
        ],
    }


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"page": "-1"}, "page"),
        ({"page": "abc"}, "page"),
        ({"display_size": "0"}, "display_size"),
        ({"from_date": "2024-03-01T10:00:00"}, "from_date"),  # no zone
        ({"reference": "x" * 256}, "reference"),
        ({"page": "99999999999"}, "page"),
    ],
)
async def test_single_bad_parameter(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, params: dict[str, str], bad: str
) -> None:
    account = await create_account(db_session)

    response = await search(connector_client, account.id, **params)

    assert response.status_code == 400
    assert response.json()["message"][0].startswith(f"Invalid parameters: {bad}.")


async def test_blank_parameters_are_ignored_and_unknown_account_is_404(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, _ = await seed(db_session)

    blank = await search(connector_client, account.id, reference="", page="", state=" ")
    unknown = await search(connector_client, 424242)

    assert blank.json()["total"] == 5
    assert unknown.status_code == 404
    assert unknown.json()["message"] == ["Gateway Account with id [424242] not found."]


async def test_csv_export(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account, charges = await seed(db_session)
    await create_charge(
        db_session,
        account,
        reference='quoted, "ref"',
        amount=6234,
        status=ChargeStatus.AUTHORISATION_SUCCESS,
        gateway_transaction_id="DFG98-FG8J",
        created_date=datetime(2016, 2, 5, 14, 17, tzinfo=UTC),
    )

    response = await connector_client.get(
        f"/v1/api/accounts/{account.id}/charges",
        params={"state": "submitted"},
        headers={"Accept": "text/csv"},
    )

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert (
        lines[0]
        == "Service Payment Reference,Amount,Status,Gateway Transaction ID,GOV.UK Pay ID,Date Created"
    )
    rows = list(csv.reader(io.StringIO(response.text)))[1:]
    assert rows == [
        ["fishing 100%_off", "10.00", "IN PROGRESS", "", charges["d"].external_id, "01/03/2024 15:00:00"],
        ['quoted, "ref"', "62.34", "IN PROGRESS", "DFG98-FG8J", rows[1][4], "05/02/2016 14:17:00"],
    ]


async def test_csv_exports_every_match_and_validates_first(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, _ = await seed(db_session)
    url = f"/v1/api/accounts/{account.id}/charges"

    every = await connector_client.get(url, params={"display_size": "2"}, headers={"Accept": "text/csv"})
    bad = await connector_client.get(url, params={"page": "x"}, headers={"Accept": "text/csv"})
    empty = await connector_client.get(url, params={"reference": "zzz"}, headers={"Accept": "text/csv"})

    assert len(every.text.splitlines()) == 6  # header + every charge: paging is for JSON
    assert [line.split(",")[2] for line in every.text.splitlines()[1:]] == [
        "SUCCEEDED",
        "IN PROGRESS",
        "FAILED",
        "SUCCEEDED",
        "CREATED",
    ]
    assert bad.status_code == 400
    assert empty.text.splitlines() == [
        "Service Payment Reference,Amount,Status,Gateway Transaction ID,GOV.UK Pay ID,Date Created"
    ]


async def test_result_equals_the_single_charge_view(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    """Finished charges (no next_url links to mint): search and GET must agree member for member."""
    account = await create_account(db_session, corporate_credit_card_surcharge_amount=250)
    charges = [
        await create_charge(
            db_session,
            account,
            status=ChargeStatus.CAPTURED,
            reference="full-card",
            email="payer@example.com",
            card_brand="visa",
            card_type="CREDIT",
            cardholder_name="Ann Other",
            first_digits_card_number="424242",
            last_digits_card_number="4242",
            expiry_date="12/29",
            address_line1="1 Street",
            address_postcode="SW1A 1AA",
            address_country="GB",
            corporate_surcharge=250,
            requires_3ds=True,
            version_3ds="2.1.0",
            exemption_3ds_requested="CORPORATE",
            exemption_3ds="HONOURED",
            external_metadata={"ledger_code": "AB1", "reconciled": True},
            gateway_transaction_id="gw-1",
        ),
        await create_charge(
            db_session, account, status=ChargeStatus.AWAITING_CAPTURE_REQUEST, reference="awaiting"
        ),
        await create_charge(
            db_session, account, status=ChargeStatus.EXPIRED, reference="expired", card_brand="nope"
        ),
    ]
    refund = await connector_client.post(
        f"/v1/api/accounts/{account.id}/charges/{charges[0].external_id}/refunds",
        json={"amount": 300, "refund_amount_available": 1250},
    )
    assert refund.status_code == 202
    for charge, collected in ((charges[0], 40), (charges[0], 2), (charges[2], 7)):
        db_session.add(
            Fee(
                external_id=new_external_id(),
                charge_id=charge.id,
                amount_due=collected,
                amount_collected=collected,
            )
        )
    await db_session.commit()

    results = (await search(connector_client, account.id)).json()["results"]

    by_id = {result["charge_id"]: result for result in results}
    for charge in charges:
        single = await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
        assert single.status_code == 200
        assert by_id[charge.external_id] == single.json()
    assert (by_id[charges[0].external_id]["fee"], by_id[charges[0].external_id]["net_amount"]) == (42, 1208)
    assert (by_id[charges[2].external_id]["fee"], by_id[charges[2].external_id]["net_amount"]) == (7, -7)


async def test_csv_is_streamed_in_batches_from_a_cursor(
    connector_app: FastAPI, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The export never holds the result set: each fetched batch becomes one chunk of the response."""
    account, _ = await seed(db_session)
    monkeypatch.setattr(repository, "CSV_FETCH_SIZE", 2)
    conditions = repository.charge_filters(account.id, ChargeSearch())

    chunks = [chunk async for chunk in service.csv_export(connector_app.state.sessionmaker, conditions)]

    assert chunks[0].startswith("Service Payment Reference,")
    assert [chunk.count("\n") for chunk in chunks[1:]] == [2, 2, 1]
