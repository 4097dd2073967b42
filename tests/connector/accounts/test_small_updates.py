"""Email notifications, description/analytics id, service name, 3DS toggle and frontend credentials."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.connector.accounts.conftest import Snapshot
from tests.factories import create_account as insert_account


async def _account(client: httpx.AsyncClient, account_id: int, *, frontend: bool = False) -> dict[str, Any]:
    base = "/v1/frontend/accounts" if frontend else "/v1/api/accounts"
    response = await client.get(f"{base}/{account_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def _add_notifications(session: AsyncSession, account_id: int) -> None:
    await session.execute(
        text(
            "INSERT INTO email_notifications (account_id, type, enabled, version) VALUES "
            "(:id, 'PAYMENT_CONFIRMED', true, 1), (:id, 'REFUND_ISSUED', true, 1)"
        ),
        {"id": account_id},
    )
    await session.commit()


# ---------------------------------------------------------------------------- email notifications


@pytest.mark.asyncio
async def test_custom_email_text_is_stored_and_read_back(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)
    await _add_notifications(db_session, account.id)
    url = f"/v1/api/accounts/{account.id}/email-notification"

    posted = await connector_client.post(url, json={"custom-email-text": "lorem ipsum"})
    got = await connector_client.get(url)

    assert posted.status_code == 200
    assert posted.json() == {}
    assert got.status_code == 200
    assert got.json()["template_body"] == "lorem ipsum"
    assert got.json()["version"] == 2
    assert (await _account(connector_client, account.id))["email_notifications"]["PAYMENT_CONFIRMED"][
        "template_body"
    ] == "lorem ipsum"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "The following fields are missing: [custom-email-text]"),
        ({"custom-email-text": 5}, "Field [custom-email-text] must be a string"),
    ],
)
async def test_custom_email_text_validation(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    body: dict[str, Any],
    message: str,
) -> None:
    account = await insert_account(db_session)
    before = await snapshot()

    response = await connector_client.post(f"/v1/api/accounts/{account.id}/email-notification", json=body)

    assert response.status_code == 400
    assert response.json()["message"] == [message]
    assert await snapshot() == before


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("path", "value", "kind", "field", "stored"),
    [
        ("/payment_confirmed/enabled", "false", "PAYMENT_CONFIRMED", "enabled", False),
        ("/payment_confirmed/template_body", "Thanks", "PAYMENT_CONFIRMED", "template_body", "Thanks"),
        ("/refund_issued/enabled", False, "REFUND_ISSUED", "enabled", False),
        ("/refund_issued/template_body", "Refunded", "REFUND_ISSUED", "template_body", "Refunded"),
        ("enabled", False, "PAYMENT_CONFIRMED", "enabled", False),
    ],
)
async def test_email_notification_patch_paths(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    path: str,
    value: Any,
    kind: str,
    field: str,
    stored: Any,
) -> None:
    account = await insert_account(db_session)
    await _add_notifications(db_session, account.id)

    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/email-notification",
        json={"op": "replace", "path": path, "value": value},
    )

    assert response.status_code == 200
    assert response.json() == {}
    notifications = (await _account(connector_client, account.id))["email_notifications"]
    assert notifications[kind][field] == stored
    assert notifications[kind]["version"] == 2


@pytest.mark.asyncio
async def test_email_notification_patch_creates_a_missing_row_disabled_first(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)  # the factory adds no notification rows

    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/email-notification",
        json={"op": "replace", "path": "/refund_issued/template_body", "value": "Body"},
    )

    assert response.status_code == 200
    refund = (await _account(connector_client, account.id))["email_notifications"]["REFUND_ISSUED"]
    assert refund["enabled"] is False
    assert refund["template_body"] == "Body"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"op": "replace", "path": "enabled"}, "The following fields are missing: [enabled]"),
        ({"value": True}, "The following fields are missing: [op, path]"),
        ({"op": "add", "path": "enabled", "value": True}, "Operation [add] is not valid for path [enabled]"),
        (
            {"op": "replace", "path": "enabled", "value": "maybe"},
            "Value [maybe] must be of type boolean for path [enabled]",
        ),
        (
            {"op": "replace", "path": "/refund_issued/template_body", "value": 3},
            "Value [3] is not valid for path [/refund_issued/template_body]",
        ),
    ],
)
async def test_email_notification_patch_validation(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    body: dict[str, Any],
    message: str,
) -> None:
    account = await insert_account(db_session)
    await _add_notifications(db_session, account.id)
    before = await snapshot()

    response = await connector_client.patch(f"/v1/api/accounts/{account.id}/email-notification", json=body)

    assert response.status_code == 400
    assert response.json()["message"] == [message]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_email_notification_patch_unknown_path(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session)

    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/email-notification",
        json={"op": "replace", "path": "/x", "value": "y"},
    )

    assert response.status_code == 400
    assert response.json()["message"][0].startswith("Path [/x] is not valid")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "email-notification", None),
        ("POST", "email-notification", {"custom-email-text": "x"}),
        ("PATCH", "email-notification", {"op": "replace", "path": "enabled", "value": True}),
        ("PATCH", "description-analytics-id", {"description": "d"}),
        ("PUT", "", {"username": "u"}),
        ("PATCH", "servicename", {"service_name": "s"}),
        ("PATCH", "3ds-toggle", {"toggle_3ds": True}),
    ],
)
async def test_unknown_account_is_404_everywhere(
    connector_client: httpx.AsyncClient, method: str, suffix: str, body: Any
) -> None:
    base = (
        "/v1/frontend/accounts/111" if suffix in ("", "servicename", "3ds-toggle") else "/v1/api/accounts/111"
    )
    url = f"{base}/{suffix}" if suffix else base

    response = await connector_client.request(method, url, json=body)

    assert response.status_code == 404
    assert response.json()["message"] == ["The gateway account id '111' does not exist"]


# ---------------------------------------------------------------------------- description / analytics id


@pytest.mark.asyncio
async def test_description_and_analytics_id_update_separately(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session, description="old", analytics_id="old-id")
    url = f"/v1/api/accounts/{account.id}/description-analytics-id"

    both = await connector_client.patch(url, json={"description": "desc", "analytics_id": "id"})
    assert both.status_code == 200
    assert both.json() == {}
    view = await _account(connector_client, account.id)
    assert (view["description"], view["analytics_id"]) == ("desc", "id")

    await connector_client.patch(url, json={"analytics_id": "id2"})
    view = await _account(connector_client, account.id)
    assert (view["description"], view["analytics_id"]) == ("desc", "id2")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "The following fields are missing: [description, analytics_id]"),
        ({"other": "x"}, "The following fields are missing: [description, analytics_id]"),
        ({"description": ["x"]}, "Field [description] must be a string"),
    ],
)
async def test_description_analytics_id_validation(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    body: dict[str, Any],
    message: str,
) -> None:
    account = await insert_account(db_session)
    before = await snapshot()

    response = await connector_client.patch(
        f"/v1/api/accounts/{account.id}/description-analytics-id", json=body
    )

    assert response.status_code == 400
    assert response.json()["message"] == [message]
    assert await snapshot() == before


# ---------------------------------------------------------------------------- service name, 3DS toggle


@pytest.mark.asyncio
async def test_service_name_update_and_validation(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    url = f"/v1/frontend/accounts/{account.id}/servicename"

    ok = await connector_client.patch(url, json={"service_name": "New name"})
    assert ok.status_code == 200
    assert (await _account(connector_client, account.id))["service_name"] == "New name"

    before = await snapshot()
    for body, message in (
        ({}, "The following fields are missing: [service_name]"),
        ({"service_name": "x" * 51}, "The size of a field(s) is invalid: [service_name]"),
        ({"service_name": 7}, "Field [service_name] must be a string"),
    ):
        response = await connector_client.patch(url, json=body)
        assert response.status_code == 400
        assert response.json()["message"] == [message]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_3ds_toggle(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session)
    url = f"/v1/frontend/accounts/{account.id}/3ds-toggle"

    on = await connector_client.patch(url, json={"toggle_3ds": True})
    assert on.status_code == 200
    assert (await _account(connector_client, account.id))["requires3ds"] is True
    off = await connector_client.patch(url, json={"toggle_3ds": "false"})
    assert off.status_code == 200
    assert (await _account(connector_client, account.id))["requires3ds"] is False

    before = await snapshot()
    missing = await connector_client.patch(url, json={})
    assert missing.status_code == 400
    assert missing.json()["message"] == ["The following fields are missing: [toggle_3ds]"]
    bad = await connector_client.patch(url, json={"toggle_3ds": "sometimes"})
    assert bad.status_code == 400
    assert bad.json()["message"] == ["Field [toggle_3ds] must be true or false"]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_3ds_cannot_be_turned_off_while_maestro_is_accepted(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, snapshot: Snapshot
) -> None:
    account = await insert_account(db_session, requires_3ds=True)
    maestro = await db_session.scalar(text("SELECT id FROM card_types WHERE brand = 'maestro'"))
    added = await connector_client.post(
        f"/v1/frontend/accounts/{account.id}/card-types", json={"card_types": [str(maestro)]}
    )
    assert added.status_code == 200
    before = await snapshot()

    response = await connector_client.patch(
        f"/v1/frontend/accounts/{account.id}/3ds-toggle", json={"toggle_3ds": False}
    )

    assert response.status_code == 409
    assert await snapshot() == before


# ---------------------------------------------------------------------------- PUT credentials


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("provider", "body", "shown"),
    [
        (
            "worldpay",
            {"username": "u", "password": "p-secret", "merchant_id": "MC"},
            {"one_off_customer_initiated": {"merchant_code": "MC", "username": "u"}},
        ),
        ("smartpay", {"credentials": {"username": "u", "password": "p-secret"}}, {"username": "u"}),
        (
            "epdq",
            {
                "merchant_id": "m",
                "username": "u",
                "password": "p-secret",
                "sha_in_passphrase": "in-secret",
                "sha_out_passphrase": "out-secret",
            },
            {"merchant_id": "m", "username": "u"},
        ),
        ("stripe", {"stripe_account_id": "acct_1"}, {"stripe_account_id": "acct_1"}),
    ],
)
async def test_put_credentials_stores_them_and_activates_the_only_credential(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    provider: str,
    body: dict[str, Any],
    shown: dict[str, Any],
) -> None:
    account = await insert_account(db_session, payment_provider=provider, credential_state="CREATED")

    response = await connector_client.put(f"/v1/frontend/accounts/{account.id}", json=body)

    assert response.status_code == 200
    view = await _account(connector_client, account.id, frontend=True)
    assert view["credentials"] == shown
    assert view["gateway_account_credentials"][0]["state"] == "ACTIVE"
    assert "secret" not in str(view)
    stored = await db_session.scalar(
        text("SELECT credentials::text FROM gateway_account_credentials WHERE gateway_account_id = :id"),
        {"id": account.id},
    )
    assert stored is not None
    if provider != "stripe":
        assert "p-secret" in stored  # kept for the gateway, only hidden from responses


@pytest.mark.asyncio
async def test_put_credentials_second_credential_becomes_entered(
    connector_client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    account = await insert_account(db_session, payment_provider="worldpay", credential_state="CREATED")
    await db_session.execute(
        text(
            "INSERT INTO gateway_account_credentials (external_id, gateway_account_id, payment_provider, "
            "credentials, state) VALUES ('x1', :id, 'worldpay', '{}', 'CREATED')"
        ),
        {"id": account.id},
    )
    await db_session.commit()

    response = await connector_client.put(
        f"/v1/frontend/accounts/{account.id}", json={"username": "u", "password": "p", "merchant_id": "m"}
    )

    assert response.status_code == 200
    states = (await _account(connector_client, account.id))["gateway_account_credentials"]
    assert sorted(c["state"] for c in states) == ["CREATED", "ENTERED"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("provider", "body", "missing"),
    [
        ("worldpay", {"username": "u"}, "merchant_id, password"),
        ("worldpay", {}, "merchant_id, username, password"),
        ("smartpay", {"username": "u", "password": ""}, "password"),
        (
            "epdq",
            {"merchant_id": "m", "username": "u", "password": "p"},
            "sha_in_passphrase, sha_out_passphrase",
        ),
        ("stripe", {"credentials": {}}, "stripe_account_id"),
    ],
)
async def test_put_credentials_lists_the_missing_fields(
    connector_client: httpx.AsyncClient,
    db_session: AsyncSession,
    snapshot: Snapshot,
    provider: str,
    body: dict[str, Any],
    missing: str,
) -> None:
    account = await insert_account(db_session, payment_provider=provider, credential_state="CREATED")
    before = await snapshot()

    response = await connector_client.put(f"/v1/frontend/accounts/{account.id}", json=body)

    assert response.status_code == 400
    assert response.json()["message"] == [f"The following fields are missing: [{missing}]"]
    assert await snapshot() == before


@pytest.mark.asyncio
async def test_credential_secrets_are_never_logged(
    connector_client: httpx.AsyncClient, db_session: AsyncSession, capfd: pytest.CaptureFixture[str]
) -> None:
    account = await insert_account(db_session, payment_provider="epdq", credential_state="CREATED")
    secrets = {
        "merchant_id": "m",
        "username": "u",
        "password": "pw-d41d8cd9",
        "sha_in_passphrase": "in-8f00b204",
        "sha_out_passphrase": "out-e9800998",
    }

    response = await connector_client.put(f"/v1/frontend/accounts/{account.id}", json=secrets)

    assert response.status_code == 200
    out, err = capfd.readouterr()
    assert "account.credentials_updated" in out + err
    for secret in ("pw-d41d8cd9", "in-8f00b204", "out-e9800998"):
        assert secret not in out + err
