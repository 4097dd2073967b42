"""Every public API operation that takes a body × every class of hostile input: the contract's
P-code for the field (or the operation's "Unable to parse JSON"), and nothing written.

Requests go publicapi → connector → PostgreSQL, so "nothing written" is checked on the
connector's database (a digest of every row, before and after).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from tests.hostile import EDGE_CLASSES, TYPE_CLASSES, Hostile, database_state, spoils
from tests.publicapi.telephone.test_payment_notification import NOTIFICATION

pytestmark = pytest.mark.asyncio

PAYMENT = {
    "amount": 1000,
    "reference": "REF",
    "description": "A payment",
    "return_url": "https://service.example/r",
    "email": "payer@example.org",
}
REFUND = {"amount": 100, "refund_amount_available": 1000}
#: (name, path, valid body, the operation's parse-error code, the P-code and status for a bad text).
OPERATIONS: list[tuple[str, str, dict[str, Any], str, tuple[str, int] | None]] = [
    ("create-payment", "/v1/payments", PAYMENT, "P0197", ("P0102", 400)),
    ("refund", "/v1/payments/{payment_id}/refunds", REFUND, "P0697", None),
    ("payment-notification", "/v1/payment_notification", NOTIFICATION, "P0197", ("P0102", 422)),
]
STRING_FORMAT = {
    "create-payment": "Must be a valid string format",
    "payment-notification": "Must be a valid string format",
}


async def _state(db_session: AsyncSession) -> dict[str, str]:
    # api_keys.last_used moves on a key's first use: bookkeeping of the authentication, not input.
    return await database_state(db_session, ignore=("api_keys",))


@pytest_asyncio.fixture
async def telephone_account(db_session: AsyncSession, sandbox_account: GatewayAccount) -> GatewayAccount:
    sandbox_account.allow_telephone_payment_notifications = True
    await db_session.commit()
    return sandbox_account


@pytest_asyncio.fixture
async def payment_id(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], telephone_account: GatewayAccount
) -> str:
    created = await publicapi_client.post("/v1/payments", json=PAYMENT, headers=auth_headers)
    assert created.status_code == 201, created.text
    value: str = created.json()["payment_id"]
    return value


def _expected(name: str, hostile: Hostile, status: int, parse_code: str, text: tuple[str, int] | None) -> Any:
    """(status, body) the contract gives for this class on this operation."""
    if status == 415:
        return 415, {"code": 415, "message": "HTTP 415 Unsupported Media Type"}
    if status == 413:
        return 413, {"code": 413, "message": "HTTP 413 Request Entity Too Large"}
    if hostile.name in ("nul", "lone-surrogate") and text is not None:
        code, text_status = text
        field = "reference"
        description = f"Invalid attribute value: {field}. {STRING_FORMAT[name]}"
        return text_status, {"field": field, "code": code, "description": description}
    if hostile.name in ("nul", "lone-surrogate"):
        return None  # refunds have no text field: the original ignores unknown keys
    if hostile.name == "beyond-bigint":
        return None  # an invalid amount, per operation (checked in the type test below)
    return 400, {"code": parse_code, "description": "Unable to parse JSON"}


@pytest.mark.parametrize(("hostile", "status"), EDGE_CLASSES, ids=[h.name for h, _ in EDGE_CLASSES])
async def test_edge_classes_get_the_contract_error_and_write_nothing(
    hostile: Hostile,
    status: int,
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    payment_id: str,
    db_session: AsyncSession,
) -> None:
    before = await _state(db_session)
    for name, template, body, parse_code, text in OPERATIONS:
        content, headers = hostile.make(body)
        path = template.format(payment_id=payment_id)
        response = await publicapi_client.post(path, content=content, headers={**headers, **auth_headers})
        expected = _expected(name, hostile, status, parse_code, text)
        if expected is None:
            assert 400 <= response.status_code < 500 or response.status_code == 202, (name, response.text)
            continue
        assert (response.status_code, response.json()) == expected, name
    if hostile.name not in ("nul", "lone-surrogate", "beyond-bigint"):
        assert await _state(db_session) == before


@pytest.mark.parametrize("hostile", TYPE_CLASSES, ids=[h.name for h in TYPE_CLASSES])
async def test_wrong_types_get_a_p_code_and_write_nothing(
    hostile: Hostile,
    publicapi_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    payment_id: str,
    db_session: AsyncSession,
) -> None:
    before = await _state(db_session)
    for name, template, body, _, _ in OPERATIONS:
        if not spoils(hostile, body):
            continue
        content, headers = hostile.make(body)
        path = template.format(payment_id=payment_id)
        response = await publicapi_client.post(path, content=content, headers={**headers, **auth_headers})
        assert response.status_code in (400, 422), (name, response.text)
        assert response.json()["code"].startswith("P0"), (name, response.text)
    assert await _state(db_session) == before


@pytest.mark.parametrize("field", ["reference", "description", "email", "return_url"])
async def test_a_lone_surrogate_in_any_payment_field_is_that_field_s_p0102(
    field: str, publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], db_session: AsyncSession
) -> None:
    raw = '{"amount": 100, "reference": "R", "description": "D", "return_url": "https://s.example/r"}'
    content = raw.replace('"D"', '"D"' if field != "description" else '"\\ud800"')
    if field != "description":
        content = content.rstrip("}") + f', "{field}": "\\udfff"}}'
    before = await _state(db_session)

    response = await publicapi_client.post(
        "/v1/payments", content=content, headers={**auth_headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json() == {
        "field": field,
        "code": "P0102",
        "description": f"Invalid attribute value: {field}. Must be a valid string format",
    }
    assert await _state(db_session) == before


async def test_an_amount_beyond_64_bits_is_an_invalid_amount(
    publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    content = '{"amount": 99999999999999999999999, "reference": "R", "description": "D"}'

    response = await publicapi_client.post(
        "/v1/payments", content=content, headers={**auth_headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["description"] == "Invalid attribute value: amount. Must be a valid numeric format"


@pytest.mark.parametrize("available", ["NaN", "1e400", "99999999999999999999999", '"\u0661"'])
async def test_an_odd_refund_amount_available_is_never_a_500(
    available: str, publicapi_client: httpx.AsyncClient, auth_headers: dict[str, str], payment_id: str
) -> None:
    content = f'{{"amount": 100, "refund_amount_available": {available}}}'

    response = await publicapi_client.post(
        f"/v1/payments/{payment_id}/refunds",
        content=content,
        headers={**auth_headers, "Content-Type": "application/json"},
    )

    assert 400 <= response.status_code < 500, response.text


async def test_headers_beyond_the_limits_get_431(publicapi_client: httpx.AsyncClient) -> None:
    many = [(f"x-h{index}", "v") for index in range(101)]

    response = await publicapi_client.get("/healthcheck", headers=many)

    assert response.status_code == 431
    assert response.json() == {"code": 431, "message": "HTTP 431 Request Header Fields Too Large"}
