"""Refund submission and reads through HTTP: every error path of connector.md §3.3."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus
from connector.gateways.base import GatewayError, RefundRequest, RefundResult, RefundStatus
from connector.models import GatewayAccount, Refund, RefundHistory
from connector.refunds import gateway
from tests.factories import create_account, create_charge

pytestmark = pytest.mark.asyncio


def refunds_url(account_id: int, charge_id: str) -> str:
    return f"/v1/api/accounts/{account_id}/charges/{charge_id}/refunds"


async def captured(session: AsyncSession, **fields: Any) -> tuple[GatewayAccount, str]:
    account = await create_account(session)
    charge = await create_charge(session, account, status=ChargeStatus.CAPTURED, **fields)
    return account, charge.external_id


async def post_refund(
    client: httpx.AsyncClient, account_id: int, charge_id: str, amount: int, available: int, **extra: Any
) -> httpx.Response:
    body = {"amount": amount, "refund_amount_available": available, **extra}
    return await client.post(refunds_url(account_id, charge_id), json=body)


async def test_sandbox_refund_is_accepted_and_completes(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charge_id = await captured(db_session, amount=5000)

    response = await post_refund(
        connector_client, account.id, charge_id, 2000, 5000, user_external_id="AA213FD5"
    )

    assert response.status_code == 202
    body = response.json()
    refund_id = body["refund_id"]
    assert len(refund_id) == 26
    assert body["amount"] == 2000
    assert body["status"] == "success"
    assert body["user_external_id"] == "AA213FD5"
    assert body["created_date"].endswith("Z")
    assert len(body["created_date"]) == 24
    payment = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge_id}"
    assert body["_links"] == {
        "self": {"href": f"{payment}/refunds/{refund_id}"},
        "payment": {"href": payment},
    }
    history = (
        await db_session.scalars(
            select(RefundHistory.status)
            .where(RefundHistory.external_id == refund_id)
            .order_by(RefundHistory.id)
        )
    ).all()
    assert history == ["CREATED", "REFUND SUBMITTED", "REFUNDED"]
    refund = await db_session.scalar(select(Refund).where(Refund.external_id == refund_id))
    assert refund is not None
    assert refund.gateway_transaction_id


async def test_second_refund_must_state_the_new_available_amount(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charge_id = await captured(db_session, amount=5000, corporate_surcharge=250)

    assert (await post_refund(connector_client, account.id, charge_id, 1000, 5250)).status_code == 202
    stale = await post_refund(connector_client, account.id, charge_id, 1000, 5250)
    fresh = await post_refund(connector_client, account.id, charge_id, 4250, 4250)

    assert stale.status_code == 412
    assert stale.json() == {
        "error_identifier": "REFUND_AMOUNT_AVAILABLE_MISMATCH",
        "message": ["Refund Amount Available Mismatch"],
    }
    assert fresh.status_code == 202
    full = await post_refund(connector_client, account.id, charge_id, 1, 0)
    assert full.status_code == 400
    assert full.json()["reason"] == "full"


@pytest.mark.parametrize(
    ("amount", "message", "reason"),
    [
        (0, "Validation error for amount. Minimum amount for a refund is 1", "amount_min_validation"),
        (10_000_001, "Not sufficient amount available for refund", "amount_not_available"),
    ],
)
async def test_amount_out_of_range(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, amount: int, message: str, reason: str
) -> None:
    account, charge_id = await captured(db_session)

    response = await post_refund(connector_client, account.id, charge_id, amount, 1000)

    assert response.status_code == 400
    assert response.json() == {
        "error_identifier": "REFUND_NOT_AVAILABLE",
        "message": [message],
        "reason": reason,
    }


async def test_amount_checks_come_before_the_charge_lookup(connector_client: httpx.AsyncClient) -> None:
    response = await post_refund(connector_client, 999, "nosuchcharge", 0, 1000)
    assert response.status_code == 400


async def test_more_than_available(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account, charge_id = await captured(db_session, amount=1000)

    response = await post_refund(connector_client, account.id, charge_id, 1001, 1000)

    assert response.status_code == 400
    assert response.json() == {
        "error_identifier": "REFUND_NOT_AVAILABLE",
        "message": ["Not sufficient amount available for refund"],
        "reason": "amount_not_available",
    }


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ChargeStatus.CAPTURE_SUBMITTED, "pending"),
        (ChargeStatus.AUTHORISATION_SUCCESS, "pending"),
        (ChargeStatus.AWAITING_CAPTURE_REQUEST, "unavailable"),
        (ChargeStatus.EXPIRED, "unavailable"),
    ],
)
async def test_charge_not_available_for_refund(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, status: ChargeStatus, reason: str
) -> None:
    account = await create_account(db_session)
    charge = await create_charge(db_session, account, status=status)

    response = await post_refund(connector_client, account.id, charge.external_id, 100, 1000)

    assert response.status_code == 400
    assert response.json() == {
        "error_identifier": "REFUND_NOT_AVAILABLE",
        "message": [f"Charge with id [{charge.external_id}] not available for refund."],
        "reason": reason,
    }


async def test_disabled_account_is_forbidden(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, disabled=True)
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=100)

    response = await post_refund(connector_client, account.id, charge.external_id, 100, 100)

    assert response.status_code == 403
    assert response.json() == {
        "error_identifier": "ACCOUNT_DISABLED",
        "message": ["This gateway account is disabled"],
    }


async def test_unknown_charge_and_account(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, _ = await captured(db_session)
    other = await create_account(db_session)
    _, foreign_charge = await captured(db_session)

    missing = await post_refund(connector_client, account.id, "nosuchcharge", 100, 100)
    wrong_account = await post_refund(connector_client, other.id, foreign_charge, 100, 1000)
    no_account = await post_refund(connector_client, 987654, foreign_charge, 100, 1000)

    assert missing.status_code == 404
    assert missing.json() == {
        "error_identifier": "GENERIC",
        "message": ["Charge with id [nosuchcharge] not found."],
    }
    assert wrong_account.status_code == 404
    assert no_account.status_code == 404
    assert no_account.json()["message"] == ["Gateway Account with id [987654] not found."]


async def test_missing_fields_are_rejected(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charge_id = await captured(db_session)

    response = await connector_client.post(refunds_url(account.id, charge_id), json={"amount": 100})
    garbage = await connector_client.post(
        refunds_url(account.id, charge_id), content=b"{not json", headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert any("refund_amount_available" in message for message in response.json()["message"])
    assert garbage.status_code == 400
    assert (await db_session.scalars(select(Refund))).all() == []


class FailingGateway:
    async def refund(self, request: RefundRequest) -> RefundResult:
        raise GatewayError("Worldpay refused the refund: order not found")


class PendingGateway:
    async def refund(self, request: RefundRequest) -> RefundResult:
        return RefundResult(status=RefundStatus.PENDING, reference="wp-ref-1")


async def test_gateway_error_leaves_refund_error_and_answers_500(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway, "refund_gateway", lambda _provider: FailingGateway())
    account = await create_account(db_session, payment_provider="worldpay")
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=1000)

    response = await post_refund(connector_client, account.id, charge.external_id, 400, 1000)

    assert response.status_code == 500
    assert response.json()["message"] == ["Worldpay refused the refund: order not found"]
    refund = await db_session.scalar(select(Refund).where(Refund.charge_external_id == charge.external_id))
    assert refund is not None
    assert refund.status == "REFUND ERROR"
    assert refund.gateway_transaction_id == refund.external_id  # Worldpay: our own reference
    # An errored refund does not count: the whole amount is still available.
    retry = await post_refund(connector_client, account.id, charge.external_id, 400, 1000)
    assert retry.status_code == 500
    listed = (await connector_client.get(refunds_url(account.id, charge.external_id))).json()
    assert [r["status"] for r in listed["_embedded"]["refunds"]] == ["error", "error"]


async def test_pending_gateway_leaves_refund_submitted(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(gateway, "refund_gateway", lambda _provider: PendingGateway())
    account, charge_id = await captured(db_session, amount=1000)

    response = await post_refund(connector_client, account.id, charge_id, 400, 1000)

    assert response.status_code == 202
    assert response.json()["status"] == "submitted"
    refund = await db_session.scalar(select(Refund).where(Refund.charge_external_id == charge_id))
    assert refund is not None
    assert refund.status == "REFUND SUBMITTED"
    assert refund.gateway_transaction_id == "wp-ref-1"
    # A submitted refund counts against the available amount.
    assert (await post_refund(connector_client, account.id, charge_id, 100, 1000)).status_code == 412


async def test_list_and_get_refunds(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    account, charge_id = await captured(db_session, amount=1000)
    first = (await post_refund(connector_client, account.id, charge_id, 100, 1000)).json()
    second = (await post_refund(connector_client, account.id, charge_id, 200, 900)).json()

    listed = await connector_client.get(refunds_url(account.id, charge_id))
    single = await connector_client.get(f"{refunds_url(account.id, charge_id)}/{second['refund_id']}")

    assert listed.status_code == 200
    body = listed.json()
    payment = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge_id}"
    assert body["payment_id"] == charge_id
    assert body["_links"] == {"self": {"href": f"{payment}/refunds"}, "payment": {"href": payment}}
    assert body["_embedded"]["refunds"] == [first, second]
    assert single.status_code == 200
    assert single.json() == second


async def test_get_refund_not_found_bodies(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account, charge_id = await captured(db_session)

    no_refund = await connector_client.get(f"{refunds_url(account.id, charge_id)}/nosuchrefund")
    no_charge = await connector_client.get(f"{refunds_url(account.id, 'nosuchcharge')}/nosuchrefund")
    no_charge_list = await connector_client.get(refunds_url(account.id, "nosuchcharge"))

    assert no_refund.status_code == 404
    assert no_refund.json() == {
        "error_identifier": "GENERIC",
        "message": ["Refund with id [nosuchrefund] not found."],
    }
    assert no_charge.status_code == 404
    assert no_charge.json()["message"] == ["Charge with id [nosuchcharge] not found."]
    assert no_charge_list.status_code == 404


async def test_refund_through_the_service_and_account_type(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session, service_id="svc123", type="LIVE")
    charge = await create_charge(db_session, account, status=ChargeStatus.CAPTURED, amount=700)
    url = f"/v1/api/service/svc123/account/live/charges/{charge.external_id}/refunds"

    response = await connector_client.post(url, json={"amount": 700, "refund_amount_available": 700})
    wrong_type = await connector_client.post(
        f"/v1/api/service/svc123/account/test/charges/{charge.external_id}/refunds",
        json={"amount": 700, "refund_amount_available": 700},
    )

    assert response.status_code == 202
    payment = f"http://connector.test/v1/api/accounts/{account.id}/charges/{charge.external_id}"
    assert response.json()["_links"]["payment"] == {"href": payment}
    assert wrong_type.status_code == 404


async def test_no_credential_for_the_charge(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await create_account(db_session)  # a sandbox credential only
    charge = await create_charge(
        db_session,
        account,
        status=ChargeStatus.CAPTURED,
        payment_provider="worldpay",
        gateway_account_credential_id=None,
    )

    response = await post_refund(connector_client, account.id, charge.external_id, 100, 1000)

    assert response.status_code == 404
    assert response.json()["message"] == [
        "Unable to find gateway account credentials to use to refund charge."
    ]
