"""Reading charges: the API view (§4.3, refund_summary §3.2), the frontend view and the events list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.service import transition
from connector.charges.state import ChargeStatus
from connector.models import Charge, ChargeEvent, Fee, GatewayAccount, Refund, RefundHistory, Token
from pay_common.ids import new_external_id
from tests.factories import create_account, create_charge

S = ChargeStatus


async def get_charge(client: httpx.AsyncClient, account: GatewayAccount, charge: Charge) -> dict[str, Any]:
    response = await client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def rels(view: dict[str, Any]) -> list[str]:
    return [link["rel"] for link in view["links"]]


async def add_refund(session: AsyncSession, charge: Charge, amount: int, status: str) -> Refund:
    refund = Refund(
        external_id=new_external_id(),
        amount=amount,
        status=status,
        charge_external_id=charge.external_id,
        user_external_id="user-1",
    )
    session.add(refund)
    await session.commit()
    return refund


# --- 404 ------------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_charge_of_another_account_is_not_found(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    owner = await create_account(db_session)
    other = await create_account(db_session)
    charge = await create_charge(db_session, owner)

    for path in (
        f"/v1/api/accounts/{other.id}/charges/{charge.external_id}",
        f"/v1/api/accounts/{other.id}/charges/{charge.external_id}/events",
        f"/v1/api/accounts/not-a-number/charges/{charge.external_id}",
        f"/v1/api/accounts/{owner.id}/charges/unknown",
    ):
        response = await connector_client.get(path)
        wanted = path.split("/charges/")[1].split("/")[0]
        assert response.status_code == 404, path
        assert response.json() == {
            "error_identifier": "GENERIC",
            "message": [f"Charge with id [{wanted}] not found."],
        }
    assert await db_session.scalar(select(func.count()).select_from(Token)) == 0


@pytest.mark.asyncio
async def test_an_unknown_charge_is_not_found_on_the_frontend(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.get("/v1/frontend/charges/abc")

    assert response.status_code == 404
    assert response.json() == {"error_identifier": "GENERIC", "message": ["Charge with id [abc] not found."]}


# --- the API view --------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_each_read_of_an_unfinished_charge_makes_a_new_token_with_the_charge_date(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    created = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    charge = await create_charge(db_session, account, status=S.ENTERING_CARD_DETAILS, created_date=created)

    first = await get_charge(connector_client, account, charge)
    second = await get_charge(connector_client, account, charge)

    assert first["created_date"] == "2024-01-02T03:04:05.678Z"
    assert first["state"] == {"status": "started", "finished": False}
    tokens = [view["links"][3]["params"]["chargeTokenId"] for view in (first, second)]
    assert tokens[0] != tokens[1]
    stored = (await db_session.scalars(select(Token).where(Token.charge_id == charge.id))).all()
    assert sorted(t.secure_redirect_token for t in stored) == sorted(tokens)
    assert {t.created_date for t in stored} == {created}


@pytest.mark.asyncio
async def test_a_finished_charge_has_no_next_url_and_makes_no_token(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AUTHORISATION_REJECTED)

    view = await get_charge(connector_client, account, charge)

    assert view["state"] == {
        "status": "failed",
        "finished": True,
        "code": "P0010",
        "message": "Payment method rejected",
    }
    assert rels(view) == ["self", "refunds"]
    assert view["refund_summary"]["status"] == "unavailable"
    assert await db_session.scalar(select(func.count()).select_from(Token)) == 0


@pytest.mark.asyncio
async def test_a_charge_awaiting_capture_request_has_a_capture_link(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.AWAITING_CAPTURE_REQUEST, delayed_capture=True)

    view = await get_charge(connector_client, account, charge)

    self_url = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge.external_id}"
    assert view["state"] == {"status": "capturable", "finished": False}
    assert view["links"] == [
        {"rel": "self", "method": "GET", "href": self_url},
        {"rel": "refunds", "method": "GET", "href": f"{self_url}/refunds"},
        {"rel": "capture", "method": "POST", "href": f"{self_url}/capture"},
    ]
    assert view["delayed_capture"] is True
    assert view["refund_summary"]["status"] == "unavailable"


@pytest.mark.asyncio
async def test_a_moto_api_charge_read_gets_a_fresh_auth_url(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(
        db_session, account, authorisation_mode="MOTO_API", moto=True, return_url=None
    )

    view = await get_charge(connector_client, account, charge)

    assert rels(view) == ["self", "refunds", "auth_url_post"]
    assert view["authorisation_mode"] == "moto_api"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("status", "refunds", "expected"),
    [
        (S.CREATED, [], {"status": "pending", "amount_available": 5000, "amount_submitted": 0}),
        (S.AUTHORISATION_SUCCESS, [], {"status": "pending", "amount_available": 5000, "amount_submitted": 0}),
        (S.CAPTURE_SUBMITTED, [], {"status": "pending", "amount_available": 5000, "amount_submitted": 0}),
        (S.CAPTURE_QUEUED, [], {"status": "unavailable", "amount_available": 5000, "amount_submitted": 0}),
        (S.CAPTURE_ERROR, [], {"status": "unavailable", "amount_available": 5000, "amount_submitted": 0}),
        (S.USER_CANCELLED, [], {"status": "unavailable", "amount_available": 5000, "amount_submitted": 0}),
        (S.CAPTURED, [], {"status": "available", "amount_available": 5000, "amount_submitted": 0}),
        (
            S.CAPTURED,
            [(1000, "CREATED"), (500, "REFUND SUBMITTED"), (700, "REFUNDED"), (900, "REFUND ERROR")],
            {"status": "available", "amount_available": 2800, "amount_submitted": 2200},
        ),
        (
            S.CAPTURED,
            [(4000, "REFUNDED"), (1000, "REFUND SUBMITTED"), (300, "REFUND ERROR")],
            {"status": "full", "amount_available": 0, "amount_submitted": 5000},
        ),
    ],
)
async def test_refund_summary_follows_the_charge_status_and_counted_refunds(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    status: ChargeStatus,
    refunds: list[tuple[int, str]],
    expected: dict[str, Any],
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=status, amount=5000)
    for amount, refund_status in refunds:
        await add_refund(db_session, charge, amount, refund_status)

    view = await get_charge(connector_client, account, charge)

    assert view["refund_summary"] == {**expected, "user_external_id": None}


@pytest.mark.asyncio
async def test_a_corporate_surcharge_shows_the_total_and_counts_for_refunds(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURED, amount=100, corporate_surcharge=250)
    without = await create_charge(
        db_session, account, status=S.CAPTURED, amount=100, corporate_surcharge=None
    )
    await add_refund(db_session, charge, 50, "REFUNDED")

    view = await get_charge(connector_client, account, charge)
    plain = await get_charge(connector_client, account, without)

    assert (view["corporate_card_surcharge"], view["total_amount"]) == (250, 350)
    assert view["refund_summary"]["amount_available"] == 300
    assert "corporate_card_surcharge" not in plain
    assert "total_amount" not in plain


CARD: dict[str, Any] = {
    "card_brand": "visa",
    "card_type": "CREDIT",
    "first_digits_card_number": "424242",
    "last_digits_card_number": "4242",
    "cardholder_name": "Mr Payment",
    "expiry_date": "12/29",
    "address_line1": "1 Street",
    "address_postcode": "SE1 3UZ",
    "address_city": "London",
    "address_country": "GB",
}


@pytest.mark.asyncio
async def test_card_details_show_the_brand_label_and_only_first_6_last_4(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(
        db_session, account, status=S.CAPTURED, gateway_transaction_id="gw-1", **CARD
    )
    unknown = await create_charge(db_session, account, status=S.CAPTURED, card_brand="mystery-card")

    view = await get_charge(connector_client, account, charge)
    unknown_view = await get_charge(connector_client, account, unknown)

    assert view["card_details"] == {
        "card_brand": "Visa",
        "card_type": "credit",
        "first_digits_card_number": "424242",
        "last_digits_card_number": "4242",
        "cardholder_name": "Mr Payment",
        "expiry_date": "12/29",
        "billing_address": {"line1": "1 Street", "postcode": "SE1 3UZ", "city": "London", "country": "GB"},
    }
    assert view["gateway_transaction_id"] == "gw-1"
    assert unknown_view["card_details"] == {"card_brand": ""}


@pytest.mark.asyncio
async def test_settlement_summary_comes_from_the_capture_events(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURE_READY)
    await transition(db_session, charge, S.CAPTURE_SUBMITTED)
    await transition(
        db_session, charge, S.CAPTURED, gateway_event_date=datetime(2024, 3, 4, 23, 30, tzinfo=UTC)
    )
    await db_session.commit()
    submitted = await db_session.scalar(
        select(ChargeEvent.updated).where(
            ChargeEvent.charge_id == charge.id, ChargeEvent.status == "CAPTURE SUBMITTED"
        )
    )
    assert submitted is not None

    view = await get_charge(connector_client, account, charge)

    assert view["settlement_summary"] == {
        "capture_submit_time": submitted.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{submitted.microsecond // 1000:03d}Z",
        "captured_date": "2024-03-04",
    }
    assert view["refund_summary"]["status"] == "available"


@pytest.mark.asyncio
async def test_captured_date_falls_back_to_the_event_time(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURE_READY)
    await transition(db_session, charge, S.CAPTURED)
    await db_session.commit()

    view = await get_charge(connector_client, account, charge)

    assert view["settlement_summary"]["captured_date"] == datetime.now(UTC).date().isoformat()
    assert view["settlement_summary"]["capture_submit_time"] is None


@pytest.mark.asyncio
async def test_3ds_wallet_exemption_and_metadata_are_shown_when_present(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(
        db_session,
        account,
        status=S.CAPTURED,
        requires_3ds=True,
        version_3ds="2.1.0",
        wallet="APPLE_PAY",
        exemption_3ds_requested="CORPORATE",
        exemption_3ds="HONOURED",
        external_metadata={"ledger_code": 123, "some_key": "key"},
        agreement_external_id="b" * 26,
        agreement_payment_type="instalment",
    )
    plain = await create_charge(db_session, account, status=S.CAPTURED)

    view = await get_charge(connector_client, account, charge)
    plain_view = await get_charge(connector_client, account, plain)

    assert view["authorisation_summary"] == {"three_d_secure": {"required": True, "version": "2.1.0"}}
    assert view["wallet_type"] == "APPLE_PAY"
    assert view["exemption"] == {"requested": True, "type": "corporate", "outcome": {"result": "honoured"}}
    assert view["metadata"] == {"ledger_code": 123, "some_key": "key"}
    assert (view["agreement_id"], view["agreement_payment_type"]) == ("b" * 26, "instalment")
    for absent in (
        "authorisation_summary",
        "wallet_type",
        "exemption",
        "metadata",
        "agreement_id",
        "email",
        "card_details",
    ):
        assert absent not in plain_view


@pytest.mark.asyncio
async def test_can_retry_is_shown_for_agreement_payments_only(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    agreement = await create_charge(
        db_session,
        account,
        status=S.AUTHORISATION_REJECTED,
        authorisation_mode="AGREEMENT",
        can_retry=True,
        return_url=None,
    )
    web = await create_charge(db_session, account, status=S.AUTHORISATION_REJECTED, can_retry=True)

    assert (await get_charge(connector_client, account, agreement))["state"] == {
        "status": "failed",
        "finished": True,
        "code": "P0010",
        "message": "Payment method rejected",
        "can_retry": True,
    }
    assert "can_retry" not in (await get_charge(connector_client, account, web))["state"]


# --- the frontend view ---------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_the_frontend_view_has_the_internal_status_the_account_and_its_links(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(
        db_session, corporate_credit_card_surcharge_amount=250, service_name="My service"
    )
    charge = await create_charge(
        db_session, account, status=S.AUTHORISATION_3DS_REQUIRED, email="a@b.com", **CARD
    )

    response = await connector_client.get(f"/v1/frontend/charges/{charge.external_id}")

    assert response.status_code == 200
    view = response.json()
    base = f"http://connector.test/v1/frontend/charges/{charge.external_id}"
    assert view["status"] == "AUTHORISATION 3DS REQUIRED"
    assert view["state"] == {"status": "started", "finished": False}
    assert (view["charge_id"], view["amount"], view["email"], view["language"]) == (
        charge.external_id,
        1000,
        "a@b.com",
        "en",
    )
    assert view["card_details"]["card_brand"] == "Visa"
    assert view["links"] == [
        {"rel": "self", "method": "GET", "href": base},
        {"rel": "cardAuth", "method": "POST", "href": f"{base}/cards"},
        {"rel": "cardCapture", "method": "POST", "href": f"{base}/capture"},
    ]
    gateway_account = view["gateway_account"]
    assert gateway_account["gateway_account_id"] == account.id
    assert (gateway_account["payment_provider"], gateway_account["type"], gateway_account["live"]) == (
        "sandbox",
        "test",
        False,
    )
    assert gateway_account["service_name"] == "My service"
    assert gateway_account["corporate_credit_card_surcharge_amount"] == 250
    assert gateway_account["requires3ds"] is False
    brands = sorted((t["brand"], t["type"]) for t in gateway_account["card_types"])
    assert len(brands) == 9
    assert ("maestro", "DEBIT") not in brands
    assert {"id", "brand", "label", "type", "requires3ds"} == set(gateway_account["card_types"][0])
    assert "credentials" not in gateway_account
    assert await db_session.scalar(select(func.count()).select_from(Token)) == 0


# --- events ----------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_events_list_each_external_state_once_in_order(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.UNDEFINED, amount=100)
    for status in (S.CREATED, S.ENTERING_CARD_DETAILS, S.AUTHORISATION_READY, S.AUTHORISATION_REJECTED):
        await transition(db_session, charge, status)
    await db_session.commit()

    response = await connector_client.get(
        f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/events"
    )

    assert response.status_code == 200
    listed = response.json()
    assert listed["charge_id"] == charge.external_id
    for event in listed["events"]:
        assert event.pop("updated").endswith("Z")
    assert listed["events"] == [
        {
            "type": "PAYMENT",
            "submitted_by": None,
            "state": {"status": "created", "finished": False},
            "amount": 100,
            "refund_reference": None,
        },
        {
            "type": "PAYMENT",
            "submitted_by": None,
            "state": {"status": "started", "finished": False},
            "amount": 100,
            "refund_reference": None,
        },
        {
            "type": "PAYMENT",
            "submitted_by": None,
            "state": {
                "status": "failed",
                "finished": True,
                "code": "P0010",
                "message": "Payment method rejected",
            },
            "amount": 100,
            "refund_reference": None,
        },
    ]


@pytest.mark.asyncio
async def test_events_include_refund_states_after_the_payment(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURED, amount=500)
    refund = await add_refund(db_session, charge, 200, "REFUNDED")
    start = datetime.now(UTC) + timedelta(minutes=1)
    for offset, status in enumerate(("CREATED", "REFUND SUBMITTED", "REFUNDED")):
        db_session.add(
            RefundHistory(
                refund_id=refund.id,
                external_id=refund.external_id,
                amount=200,
                status=status,
                created_date=start,
                user_external_id="user-1",
                charge_external_id=charge.external_id,
                history_start_date=start + timedelta(seconds=offset),
            )
        )
    await db_session.commit()

    response = await connector_client.get(
        f"/v1/api/accounts/{account.id}/charges/{charge.external_id}/events"
    )

    events = response.json()["events"]
    assert [(e["type"], e["state"]["status"]) for e in events] == [
        ("PAYMENT", "success"),
        ("REFUND", "submitted"),
        ("REFUND", "success"),
    ]
    assert events[2] == {
        "type": "REFUND",
        "submitted_by": "user-1",
        "state": {"status": "success", "finished": True},
        "amount": 200,
        "updated": events[2]["updated"],
        "refund_reference": refund.external_id,
    }


@pytest.mark.asyncio
async def test_a_charge_can_be_read_by_service_and_account_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)
    other = await create_account(db_session)
    charge = await create_charge(db_session, account, status=S.CAPTURED)

    found = await connector_client.get(
        f"/v1/api/service/{account.service_id}/account/test/charges/{charge.external_id}"
    )
    missing = await connector_client.get(
        f"/v1/api/service/{other.service_id}/account/test/charges/{charge.external_id}"
    )

    assert found.status_code == 200
    assert found.json()["charge_id"] == charge.external_id
    assert found.json()["links"][0]["href"].endswith(
        f"/v1/api/accounts/{account.id}/charges/{charge.external_id}"
    )
    assert missing.status_code == 404
    assert missing.json() == {
        "error_identifier": "GENERIC",
        "message": [f"Charge with id [{charge.external_id}] not found."],
    }


class TestFees:
    """connector.md §4.3: ``fee`` and ``net_amount`` appear only when the provider charged fees."""

    @staticmethod
    async def _with_fees(
        db_session: AsyncSession, status: str, fees: list[int]
    ) -> tuple[GatewayAccount, Charge]:
        account = await create_account(db_session)
        charge = await create_charge(db_session, account, status=status, amount=1000, corporate_surcharge=250)
        for amount in fees:
            db_session.add(
                Fee(
                    external_id=new_external_id(),
                    charge_id=charge.id,
                    amount_due=amount,
                    amount_collected=amount,
                )
            )
        await db_session.commit()
        return account, charge

    @pytest.mark.asyncio
    async def test_a_successful_charge_nets_its_total_less_every_fee(
        self, connector_client: httpx.AsyncClient, db_session: AsyncSession
    ) -> None:
        account, charge = await self._with_fees(db_session, "CAPTURED", [5, 20])

        body = (
            await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
        ).json()

        assert body["fee"] == 25
        assert body["net_amount"] == 1000 + 250 - 25

    @pytest.mark.asyncio
    async def test_a_failed_charge_nets_minus_its_fees(
        self, connector_client: httpx.AsyncClient, db_session: AsyncSession
    ) -> None:
        account, charge = await self._with_fees(db_session, "AUTHORISATION REJECTED", [7])

        body = (
            await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
        ).json()

        assert body["fee"] == 7
        assert body["net_amount"] == -7

    @pytest.mark.asyncio
    async def test_a_charge_without_fees_shows_neither_field(
        self, connector_client: httpx.AsyncClient, db_session: AsyncSession
    ) -> None:
        account, charge = await self._with_fees(db_session, "CAPTURED", [])

        body = (
            await connector_client.get(f"/v1/api/accounts/{account.id}/charges/{charge.external_id}")
        ).json()

        assert "fee" not in body
        assert "net_amount" not in body
