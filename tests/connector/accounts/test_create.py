"""POST /v1/api/accounts (seed 000, connector.md §14.1)."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import CreateAccount, Snapshot

SERVICE = "0123456789abcdef0123456789abcdef"


@pytest.mark.asyncio
async def test_create_answers_201_with_location_and_links(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await connector_client.post(
        "/v1/api/accounts",
        json={
            "payment_provider": "sandbox",
            "description": "This is an account for the GOV.UK Pay team",
            "analytics_id": "PAY-GA-123",
            "type": "test",
            "service_id": SERVICE,
            "service_name": "My service",
        },
    )

    assert response.status_code == 201
    body = response.json()
    account_id = body["gateway_account_id"]
    assert account_id.isdigit()
    href = f"http://connector.test/v1/api/accounts/{account_id}"
    assert response.headers["location"] == href
    assert body == {
        "gateway_account_id": account_id,
        "external_id": body["external_id"],
        "payment_provider": "sandbox",
        "service_name": "My service",
        "service_id": SERVICE,
        "description": "This is an account for the GOV.UK Pay team",
        "analytics_id": "PAY-GA-123",
        "type": "test",
        "requires_3ds": False,
        "send_payer_email_to_gateway": False,
        "send_payer_ip_address_to_gateway": False,
        "links": [{"href": href, "rel": "self", "method": "GET"}],
    }
    assert len(body["external_id"]) == 32


@pytest.mark.asyncio
async def test_new_account_gets_defaults_notifications_card_types_and_active_sandbox_credential(
    connector_client: httpx.AsyncClient, create_account: CreateAccount, db_session: AsyncSession
) -> None:
    created = await create_account()  # payment_provider and type default to sandbox / test

    account = (await connector_client.get(f"/v1/api/accounts/{created['gateway_account_id']}")).json()

    assert account["payment_provider"] == "sandbox"
    assert account["type"] == "test"
    assert account["allow_apple_pay"] is False  # seed 000's default, sandbox too (decisions.md)
    assert account["integration_version_3ds"] == 1
    assert account["email_notifications"] == {
        "PAYMENT_CONFIRMED": {"version": 1, "enabled": True, "template_body": None},
        "REFUND_ISSUED": {"version": 1, "enabled": True, "template_body": None},
    }
    [credential] = account["gateway_account_credentials"]
    assert credential["state"] == "ACTIVE"
    assert credential["active_start_date"] is not None
    brands = await db_session.execute(
        text(
            "SELECT c.brand, c.type FROM accepted_card_types a JOIN card_types c ON c.id = a.card_type_id "
            "WHERE a.gateway_account_id = :id ORDER BY 1, 2"
        ),
        {"id": int(created["gateway_account_id"])},
    )
    accepted = [tuple(row) for row in brands]
    assert len(accepted) == 9
    assert ("maestro", "DEBIT") not in accepted


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("provider", "account_type", "credentials", "state"),
    [
        ("worldpay", "test", None, "CREATED"),
        ("worldpay", "live", {"merchant_id": "m"}, "ACTIVE"),
        ("smartpay", "test", None, "CREATED"),
        ("epdq", "test", None, "CREATED"),
        ("stripe", "test", None, "ACTIVE"),
        ("stripe", "live", {"stripe_account_id": "acct_123"}, "CREATED"),
    ],
)
async def test_initial_credential_state_follows_the_provider_rules(
    connector_client: httpx.AsyncClient,
    create_account: CreateAccount,
    provider: str,
    account_type: str,
    credentials: dict[str, str] | None,
    state: str,
) -> None:
    fields: dict[str, object] = {"payment_provider": provider, "type": account_type}
    if credentials:
        fields["credentials"] = credentials
    created = await create_account(**fields)

    account = (await connector_client.get(f"/v1/api/accounts/{created['gateway_account_id']}")).json()

    assert account["payment_provider"] == provider
    assert account["type"] == account_type
    assert account["allow_apple_pay"] is False
    assert [c["state"] for c in account["gateway_account_credentials"]] == [state]


@pytest.mark.asyncio
async def test_create_stores_the_flags_it_is_given(
    connector_client: httpx.AsyncClient, create_account: CreateAccount
) -> None:
    created = await create_account(
        payment_provider="worldpay",
        requires_3ds=True,
        allow_google_pay=True,
        allow_apple_pay=True,
        send_payer_email_to_gateway=True,
        send_payer_ip_address_to_gateway="true",
    )
    assert created["requires_3ds"] is True
    assert created["send_payer_ip_address_to_gateway"] is True

    account = (await connector_client.get(f"/v1/api/accounts/{created['gateway_account_id']}")).json()
    assert account["requires3ds"] is True
    assert account["allow_google_pay"] is True
    assert account["allow_apple_pay"] is True
    assert account["send_payer_email_to_gateway"] is True


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        # A missing service_id is allowed (seed 000); a given one must be a non-blank string.
        ({"service_id": 5}, "Field [service_id] cannot be blank or missing"),
        ({"service_id": "   "}, "Field [service_id] cannot be blank or missing"),
        ({"service_id": "x" * 33}, "Field [service_id] must be 32 characters or fewer"),
        (
            {"service_id": SERVICE, "payment_provider": "paypal"},
            "Field [payment_provider] must be one of [sandbox, worldpay, smartpay, epdq, stripe]",
        ),
        ({"service_id": SERVICE, "type": "production"}, "Field [type] must be one of [test, live]"),
        ({"service_id": SERVICE, "requires_3ds": "maybe"}, "Field [requires_3ds] must be true or false"),
        ({"service_id": SERVICE, "description": 5}, "Field [description] must be a string"),
        (
            {"service_id": SERVICE, "service_name": "n" * 51},
            "Field [service_name] must be 50 characters or fewer",
        ),
        (
            {"service_id": SERVICE, "payment_provider": "stripe", "credentials": {"stripe_account_id": ""}},
            "Field [credentials.stripe_account_id] cannot be blank or missing",
        ),
    ],
)
async def test_invalid_create_is_422_and_writes_nothing(
    connector_client: httpx.AsyncClient, snapshot: Snapshot, body: dict[str, object], message: str
) -> None:
    before = await snapshot()

    response = await connector_client.post("/v1/api/accounts", json=body)

    assert response.status_code == 422
    assert response.json() == {"error_identifier": "GENERIC", "message": [message]}
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_create_reports_every_problem_at_once(connector_client: httpx.AsyncClient) -> None:
    response = await connector_client.post(
        "/v1/api/accounts", json={"type": "x", "payment_provider": "y", "service_id": " "}
    )

    assert response.status_code == 422
    assert len(response.json()["message"]) == 3


@pytest.mark.asyncio
@pytest.mark.parametrize("raw", ["{not json", "[1, 2]"])
async def test_unparsable_or_non_object_body_is_400(
    connector_client: httpx.AsyncClient, snapshot: Snapshot, raw: str
) -> None:
    before = await snapshot()

    response = await connector_client.post(
        "/v1/api/accounts", content=raw, headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["message"] in (
        ["Unable to parse JSON"],
        ["The request body must be a JSON object"],
    )
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_a_second_live_account_for_a_service_is_409(
    connector_client: httpx.AsyncClient, create_account: CreateAccount, snapshot: Snapshot
) -> None:
    await create_account(type="live", payment_provider="worldpay")
    before = await snapshot()

    response = await connector_client.post(
        "/v1/api/accounts", json={"service_id": "a" * 32, "type": "live", "payment_provider": "stripe"}
    )

    assert response.status_code == 409
    assert "already has a live gateway account" in response.json()["message"][0]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_a_second_stripe_test_account_for_a_service_is_409_but_sandbox_is_fine(
    connector_client: httpx.AsyncClient, create_account: CreateAccount, snapshot: Snapshot
) -> None:
    await create_account(payment_provider="stripe")
    await create_account(payment_provider="sandbox")
    before = await snapshot()

    response = await connector_client.post(
        "/v1/api/accounts", json={"service_id": "a" * 32, "payment_provider": "stripe"}
    )

    assert response.status_code == 409
    assert "Stripe test gateway account" in response.json()["message"][0]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_degatewayification_refuses_a_second_account_of_the_same_type(
    connector_client: httpx.AsyncClient, create_account: CreateAccount
) -> None:
    await create_account()

    response = await connector_client.post(
        "/v1/api/accounts?degatewayification=true", json={"service_id": "a" * 32}
    )

    assert response.status_code == 409


@pytest.mark.asyncio
async def test_credential_secrets_given_at_creation_are_never_returned(
    connector_client: httpx.AsyncClient, create_account: CreateAccount
) -> None:
    created = await create_account(
        payment_provider="epdq", credentials={"merchant_id": "m", "username": "u", "password": "s3cr3t"}
    )
    account_id = created["gateway_account_id"]

    for path in (
        f"/v1/api/accounts/{account_id}",
        f"/v1/frontend/accounts/{account_id}",
        "/v1/frontend/accounts",
    ):
        response = await connector_client.get(path)
        assert response.status_code == 200
        assert "s3cr3t" not in response.text
        assert "password" not in json.dumps(response.json())
