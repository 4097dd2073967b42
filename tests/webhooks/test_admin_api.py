"""The webhook admin API as a service team's tooling uses it (§A4 "Admin API")."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from tests.webhooks.conftest import AppFactory, FakeResolver

OWNER = {"service_id": "service-1", "gateway_account_id": "42"}


def new_webhook(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        **OWNER,
        "live": False,
        "callback_url": "https://www.example.gov.uk/hook",
        "description": "payments into the case system",
        "subscriptions": ["card_payment_captured", "card_payment_succeeded"],
    }
    body.update(overrides)
    return body


@pytest.mark.asyncio
async def test_a_created_webhook_is_active_and_reads_back(webhooks_client: httpx.AsyncClient) -> None:
    created = await webhooks_client.post("/v1/webhook", json=new_webhook())
    assert created.status_code == 200
    webhook = created.json()
    assert webhook["status"] == "ACTIVE"
    assert webhook["subscriptions"] == ["card_payment_captured", "card_payment_succeeded"]
    assert re.fullmatch(r"[0-9a-v]{1,26}", webhook["external_id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", webhook["created_date"])

    read = await webhooks_client.get(f"/v1/webhook/{webhook['external_id']}", params=OWNER)
    assert read.status_code == 200
    assert read.json() == webhook


@pytest.mark.asyncio
async def test_a_webhook_is_found_only_by_its_own_service_and_account(
    webhooks_client: httpx.AsyncClient,
) -> None:
    webhook = (await webhooks_client.post("/v1/webhook", json=new_webhook())).json()
    path = f"/v1/webhook/{webhook['external_id']}"
    other = await webhooks_client.get(path, params={"service_id": "service-1", "gateway_account_id": "43"})
    assert other.status_code == 404
    overridden = await webhooks_client.get(
        path, params={"override_account_or_service_id_restriction": "true"}
    )
    assert overridden.status_code == 200
    assert (await webhooks_client.get("/v1/webhook/nope", params=OWNER)).status_code == 404


@pytest.mark.asyncio
async def test_list_is_newest_first_and_filtered_by_live(webhooks_client: httpx.AsyncClient) -> None:
    first = (await webhooks_client.post("/v1/webhook", json=new_webhook(description="first"))).json()
    second = (await webhooks_client.post("/v1/webhook", json=new_webhook(description="second"))).json()
    listed = await webhooks_client.get("/v1/webhook", params={**OWNER, "live": "false"})
    assert [w["external_id"] for w in listed.json()] == [second["external_id"], first["external_id"]]
    live = await webhooks_client.get("/v1/webhook", params={**OWNER, "live": "true"})
    assert live.json() == []
    everything = await webhooks_client.get(
        "/v1/webhook", params={"live": "false", "override_service_id_restriction": "true"}
    )
    assert len(everything.json()) == 2


@pytest.mark.asyncio
async def test_list_refuses_the_override_mixed_with_ids(webhooks_client: httpx.AsyncClient) -> None:
    mixed = await webhooks_client.get(
        "/v1/webhook", params={**OWNER, "live": "false", "override_service_id_restriction": "true"}
    )
    assert mixed.status_code == 400
    missing_live = await webhooks_client.get("/v1/webhook", params=OWNER)
    assert missing_live.status_code == 400


@pytest.mark.asyncio
async def test_patch_replaces_description_status_url_and_the_subscription_set(
    webhooks_client: httpx.AsyncClient,
) -> None:
    webhook = (await webhooks_client.post("/v1/webhook", json=new_webhook())).json()
    operations = [
        {"op": "replace", "path": "description", "value": "renamed"},
        {"op": "replace", "path": "status", "value": "INACTIVE"},
        {"op": "replace", "path": "callback_url", "value": "https://other.example.gov.uk/hook"},
        {"op": "replace", "path": "subscriptions", "value": ["card_payment_refunded"]},
    ]
    patched = await webhooks_client.patch(
        f"/v1/webhook/{webhook['external_id']}", params=OWNER, json=operations
    )
    assert patched.status_code == 200
    body = patched.json()
    assert (body["description"], body["status"], body["callback_url"], body["subscriptions"]) == (
        "renamed",
        "INACTIVE",
        "https://other.example.gov.uk/hook",
        ["card_payment_refunded"],
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "status", "value": "DELETED"},
        {"op": "replace", "path": "subscriptions", "value": ["card_payment_exploded"]},
        {"op": "replace", "path": "live", "value": True},
        {"op": "replace", "path": "description", "value": 7},
    ],
)
async def test_a_bad_patch_changes_nothing(
    webhooks_client: httpx.AsyncClient, operation: dict[str, object]
) -> None:
    webhook = (await webhooks_client.post("/v1/webhook", json=new_webhook())).json()
    path = f"/v1/webhook/{webhook['external_id']}"
    good_then_bad = [{"op": "replace", "path": "description", "value": "changed"}, operation]
    assert (await webhooks_client.patch(path, params=OWNER, json=good_then_bad)).status_code == 400
    assert (await webhooks_client.get(path, params=OWNER)).json() == webhook


@pytest.mark.asyncio
async def test_signing_key_is_prefixed_stored_encrypted_and_regenerated(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI
) -> None:
    test_hook = (await webhooks_client.post("/v1/webhook", json=new_webhook())).json()
    path = f"/v1/webhook/{test_hook['external_id']}/signing-key"
    key = (await webhooks_client.get(path, params=OWNER)).json()["signing_key"]
    assert re.fullmatch(r"webhook_test_[0-9a-v]{1,26}", key)
    async with webhooks_app.state.sessionmaker() as session:
        stored = (
            await session.execute(text("SELECT signing_key_encrypted FROM webhooks.webhooks"))
        ).scalar_one()
    assert key not in stored

    regenerated = (await webhooks_client.post(path, params=OWNER)).json()["signing_key"]
    assert regenerated != key
    assert (await webhooks_client.get(path, params=OWNER)).json()["signing_key"] == regenerated


@pytest.mark.asyncio
async def test_create_with_a_missing_field_is_422_and_stores_nothing(
    webhooks_client: httpx.AsyncClient, webhooks_app: FastAPI
) -> None:
    body = new_webhook()
    del body["callback_url"]
    assert (await webhooks_client.post("/v1/webhook", json=body)).status_code == 422
    assert (await webhooks_client.post("/v1/webhook", json=new_webhook(live="yes"))).status_code == 422
    unknown = await webhooks_client.post("/v1/webhook", json=new_webhook(subscriptions=["nope"]))
    assert unknown.status_code == 422
    async with webhooks_app.state.sessionmaker() as session:
        assert (await session.execute(text("SELECT count(*) FROM webhooks.webhooks"))).scalar_one() == 0


STRICT_RESOLVER = FakeResolver({"www.gov.uk": ["151.101.0.144"], "intranet.example.gov.uk": ["10.1.2.3"]})
STRICT_CASES = [
    ("not a url", False, "CALLBACK_URL_MALFORMED", "Callback URL is not a valid URL"),
    ("https://", False, "CALLBACK_URL_MALFORMED", "Callback URL is not a valid URL"),
    (
        "http://www.example.gov.uk/hook",
        False,
        "CALLBACK_URL_PROTOCOL_NOT_SUPPORTED",
        "Callback URL must use HTTPS protocol",
    ),
    ("https://10.0.0.7/hook", False, "CALLBACK_URL_MALFORMED", "Callback URL host must be a domain name"),
    ("https://[::1]/hook", False, "CALLBACK_URL_MALFORMED", "Callback URL host must be a domain name"),
    (
        "https://example.com/hook",
        True,
        "CALLBACK_URL_NOT_ON_ALLOW_LIST",
        "example.com is not in the allow list",
    ),
    (
        "https://service.gov.uk.test/hook",
        True,
        "CALLBACK_URL_NOT_ON_ALLOW_LIST",
        "service.gov.uk.test is not in the allow list",
    ),
    (
        "https://localhost/hook",
        False,
        "CALLBACK_URL_NOT_PUBLIC",
        "Callback URL host must not resolve to a private or local address",
    ),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("url", "live", "identifier", "message"), STRICT_CASES)
async def test_strict_policy_refuses_bad_callback_urls(
    webhooks_app_factory: AppFactory,
    url: str,
    live: bool,
    identifier: str,
    message: str,
) -> None:
    async with webhooks_app_factory(STRICT_RESOLVER, callback_url_policy="strict") as (_, client):
        answer = await client.post("/v1/webhook", json=new_webhook(callback_url=url, live=live))
    assert answer.status_code == 400
    assert answer.json() == {"error_identifier": identifier, "message": [message]}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "url",
    [
        "https://www.gov.uk/hook",
        "https://a.b.c.service.GOV.UK./hook",
        "https://naturalresources.wales:8443/x",
    ],
)
async def test_strict_policy_accepts_allow_listed_live_domains(
    webhooks_app_factory: AppFactory, url: str
) -> None:
    async with webhooks_app_factory(STRICT_RESOLVER, callback_url_policy="strict") as (_, client):
        answer = await client.post("/v1/webhook", json=new_webhook(callback_url=url, live=True))
    assert answer.status_code == 200, answer.text
    assert answer.json()["live"] is True
