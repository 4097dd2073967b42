"""Seeds 000/001, refunds of a charge: submit, list, get, and the documented errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus as S
from connector.models import Charge, GatewayAccount
from tests.connector.seed_examples.arrange import seed_account, seed_refund
from tests.connector.seed_examples.expect import ANY_STR, TIMESTAMP, URL, assert_answers, message, one_of
from tests.factories import create_charge

CHARGE = "uqu4s24383qkod35rsb06gv3cn"
PATH = f"/v1/api/accounts/1/charges/{CHARGE}/refunds"
LINKS = {"self": {"href": URL}, "payment": {"href": URL}}


@pytest.mark.asyncio
async def test_submit_refund(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    await create_charge(
        db_session, await seed_account(db_session, 1), external_id=CHARGE, amount=30000, status=S.CAPTURED
    )

    response = await connector_client.post(
        PATH,
        json={"amount": 25000, "refund_amount_available": 30000, "user_external_id": "AA213FD51B3801043FBC"},
    )

    # The example's amount (3444) is a placeholder: the refund is for the amount asked.
    assert_answers(
        response,
        202,
        {
            "amount": 25000,
            "created_date": TIMESTAMP,
            "refund_id": ANY_STR,
            "user_external_id": "AA213FD51B3801043FBC",
            "status": one_of("submitted", "success"),
            "_links": LINKS,
        },
    )
    refund_id = response.json()["refund_id"]
    assert response.json()["_links"]["self"]["href"].endswith(f"{PATH}/{refund_id}")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("charge_status", "body", "status", "text"),
    [
        (
            S.CREATED,
            {"amount": 100, "refund_amount_available": 30000},
            400,
            f"Charge with id [{CHARGE}] not available for refund.",
        ),
        (
            S.CAPTURED,
            {"amount": 0, "refund_amount_available": 30000},
            400,
            "Validation error for amount. Minimum amount for a refund is 1",  # no period: connector.md §3.3
        ),
        (
            S.CAPTURED,
            {"amount": 30001, "refund_amount_available": 30000},
            400,
            "Not sufficient amount available for refund",
        ),
        (
            S.CAPTURED,
            {"amount": 100, "refund_amount_available": 29000},
            412,
            "Refund Amount Available Mismatch",
        ),
    ],
    ids=["not-available", "minimum-amount", "not-sufficient", "mismatch"],
)
async def test_submit_refund_errors(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    charge_status: S,
    body: dict[str, Any],
    status: int,
    text: str,
) -> None:
    await create_charge(
        db_session, await seed_account(db_session, 1), external_id=CHARGE, amount=30000, status=charge_status
    )

    response = await connector_client.post(PATH, json=body)

    assert_answers(response, status, {"message": message(text)})


REFUND = {
    "_links": LINKS,
    "amount": 3444,
    "created_date": TIMESTAMP,
    "user_external_id": "AA213FD51B3801043FBC",
    "status": "success",
}


async def _charge_with_refund(session: AsyncSession, refund_id: str) -> None:
    account = await session.get(GatewayAccount, 1) or await seed_account(session, 1)
    charge = await create_charge(
        session, account, external_id="asdwa32wd23442rwe24", amount=5000, status=S.CAPTURED
    )
    await seed_refund(session, charge, refund_id, amount=3444, user_external_id="AA213FD51B3801043FBC")


@pytest.mark.asyncio
async def test_list_refunds(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    path = "/v1/api/accounts/1/charges/asdwa32wd23442rwe24/refunds"
    await seed_account(db_session, 1)
    # The seed's 404 body ({"code": "P0800", ...}) is the public API's; the connector answers its own.
    assert_answers(
        await connector_client.get(path),
        404,
        {"message": message("Charge with id [asdwa32wd23442rwe24] not found.")},
    )
    await _charge_with_refund(db_session, "vijjk08adovg10gfqc46joem2l")

    response = await connector_client.get(path)

    assert_answers(
        response,
        200,
        {
            "_embedded": {"refunds": [{**REFUND, "refund_id": "vijjk08adovg10gfqc46joem2l"}]},
            "_links": LINKS,
            "payment_id": "asdwa32wd23442rwe24",
        },
    )


@pytest.mark.asyncio
async def test_get_refund(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    path = "/v1/api/accounts/1/charges/asdwa32wd23442rwe24/refunds/123"
    await seed_account(db_session, 1)
    missing_charge = await connector_client.get("/v1/api/accounts/1/charges/1/refunds/123")
    assert_answers(missing_charge, 404, {"message": message("Charge with id [1] not found.")})
    await _charge_with_refund(db_session, "vijjk08adovg10gfqc46joem2l")
    assert_answers(
        await connector_client.get(path), 404, {"message": message("Refund with id [123] not found.")}
    )
    charge = await db_session.scalar(select(Charge).where(Charge.external_id == "asdwa32wd23442rwe24"))
    assert charge is not None
    await seed_refund(db_session, charge, "123", amount=3444, user_external_id="AA213FD51B3801043FBC")

    response = await connector_client.get(path)

    assert_answers(response, 200, {**REFUND, "refund_id": "123"})
