"""The API-key check of the public API (publicapi.md §b), through a real connector."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from pay_common import api_keys
from publicapi.app import create_app
from publicapi.auth.cache import TTLCache
from publicapi.auth.schemas import AuthContext
from publicapi.config import Settings
from tests.factories import create_account
from tests.publicapi.conftest import issue_api_key
from tests.publicapi.probe import mount_probe

SECRET = "test-hmac-secret"
UNAUTHORIZED = "Credentials are required to access this resource."


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def client(
    publicapi_app: FastAPI, publicapi_client: httpx.AsyncClient
) -> AsyncIterator[httpx.AsyncClient]:
    mount_probe(publicapi_app)
    yield publicapi_client


def _assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.text == UNAUTHORIZED
    assert response.headers["www-authenticate"] == 'Bearer realm="realm"'
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.asyncio
async def test_a_valid_key_reaches_the_endpoint_as_its_account(
    client: httpx.AsyncClient,
    api_key: str,
    sandbox_account: GatewayAccount,
    connector_requests: list[httpx.Request],
) -> None:
    response = await client.get("/v1/probe/payments/abc", headers={"Authorization": f"Bearer {api_key}"})

    assert response.status_code == 200
    assert response.json()["account_id"] == str(sandbox_account.id)
    assert response.json()["token_type"] == "CARD"
    assert [r.url.path for r in connector_requests] == ["/v1/api/auth"]
    assert connector_requests[0].headers["authorization"] == f"Bearer {api_key}"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("bearer {key}", id="lower-case-prefix"),
        pytest.param("Bearer  {key}", id="two-spaces"),
        pytest.param("Token {key}", id="other-scheme"),
        pytest.param("{key}", id="no-scheme"),
        pytest.param("Bearer {short}", id="32-characters"),
        pytest.param("Bearer {other_secret}", id="checksum-under-another-secret"),
        pytest.param("Bearer {tampered}", id="tampered-checksum"),
        pytest.param("Bearer {upper}", id="upper-case-checksum"),
    ],
)
async def test_malformed_keys_are_401_without_calling_connector(
    client: httpx.AsyncClient,
    api_key: str,
    connector_requests: list[httpx.Request],
    authorization: str | None,
) -> None:
    variants = {
        "key": api_key,
        "short": api_key[-32:],
        "other_secret": api_keys.make_key(api_key[:-32], "another-secret"),
        "tampered": api_key[:-1] + ("a" if api_key[-1] != "a" else "b"),
        "upper": api_key[:-32] + api_key[-32:].upper(),
    }
    headers = {} if authorization is None else {"Authorization": authorization.format(**variants)}

    for path, method in (("/v1/probe/payments", "POST"), ("/v1/probe/payments/x", "GET")):
        _assert_unauthorized(await client.request(method, path, headers=headers))

    assert connector_requests == []


@pytest.mark.asyncio
async def test_a_well_formed_key_connector_does_not_know_is_401(
    client: httpx.AsyncClient, clean_db: str, connector_requests: list[httpx.Request]
) -> None:
    forged = api_keys.make_key("a-token-nobody-issued", SECRET)

    response = await client.get("/v1/probe/payments", headers={"Authorization": f"Bearer {forged}"})

    _assert_unauthorized(response)
    assert len(connector_requests) == 1


@pytest.mark.asyncio
async def test_resolved_keys_are_cached_by_hash_and_a_revoked_key_stops_after_the_ttl(
    publicapi_app: FastAPI,
    client: httpx.AsyncClient,
    connector_client: httpx.AsyncClient,
    api_key: str,
    sandbox_account: GatewayAccount,
    connector_requests: list[httpx.Request],
) -> None:
    clock = FakeClock()
    ttl = publicapi_app.state.settings.api_key_cache_ttl_seconds
    cache: TTLCache[AuthContext] = TTLCache(ttl, 100, clock=clock)
    publicapi_app.state.api_key_cache = cache
    headers = {"Authorization": f"Bearer {api_key}"}

    assert (await client.get("/v1/probe/payments", headers=headers)).status_code == 200
    assert (await client.get("/v1/probe/payments", headers=headers)).status_code == 200
    assert len(connector_requests) == 1
    assert len(cache) == 1
    assert all(api_key not in entry and api_key[:-32] not in entry for entry in cache._entries)

    account_id = sandbox_account.id
    link = (await connector_client.get(f"/v1/frontend/auth/{account_id}")).json()["tokens"][0]["token_link"]
    revoked = await connector_client.request(
        "DELETE", f"/v1/frontend/auth/{account_id}", json={"token_link": link}
    )
    assert revoked.status_code == 200

    clock.now += ttl - 1
    assert (await client.get("/v1/probe/payments", headers=headers)).status_code == 200
    clock.now += 1
    _assert_unauthorized(await client.get("/v1/probe/payments", headers=headers))
    _assert_unauthorized(await client.get("/v1/probe/payments", headers=headers))
    assert len(connector_requests) == 3


@pytest.mark.asyncio
async def test_each_key_resolves_to_its_own_account(
    client: httpx.AsyncClient, connector_client: httpx.AsyncClient, db_session: AsyncSession, api_key: str
) -> None:
    other = await create_account(db_session)
    other_key = await issue_api_key(connector_client, other.id)

    response = await client.get("/v1/probe/payments", headers={"Authorization": f"Bearer {other_key}"})
    first = await client.get("/v1/probe/payments", headers={"Authorization": f"Bearer {api_key}"})

    assert response.json()["account_id"] == str(other.id)
    assert first.json()["account_id"] != str(other.id)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a hung connector)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def _call_with_connector_at(url: str, **settings: float) -> httpx.Response:
    app = create_app(Settings(connector_url=url, log_json=True, **settings))  # type: ignore[arg-type]
    mount_probe(app)
    key = api_keys.make_key("some-token", SECRET)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://publicapi.test") as client:
            return await client.get("/v1/probe/payments", headers={"Authorization": f"Bearer {key}"})


@pytest.mark.asyncio
async def test_connector_down_is_a_generic_500_not_a_hang() -> None:
    response = await _call_with_connector_at(f"http://127.0.0.1:{_closed_port()}")

    assert response.status_code == 500
    assert response.json() == {
        "code": 500,
        "message": "There was an error processing your request. It has been logged.",
    }


@pytest.mark.asyncio
async def test_a_connector_that_never_answers_times_out_as_500(silent_port: int) -> None:
    response = await _call_with_connector_at(
        f"http://127.0.0.1:{silent_port}", api_key_resolve_timeout_seconds=0.2
    )

    assert response.status_code == 500


@pytest.mark.asyncio
async def test_an_unexpected_connector_status_is_503() -> None:
    app = create_app(
        Settings(connector_url="http://connector.test", log_json=True),
        connector_transport=httpx.MockTransport(lambda _: httpx.Response(404, json={"message": "?"})),
    )
    mount_probe(app)
    key = api_keys.make_key("some-token", SECRET)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://p.test"
        ) as client:
            response = await client.get("/v1/probe/payments", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 503
    assert response.json() == {"code": 503, "message": "HTTP 503 Service Unavailable"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "answer",
    [
        {"account_id": "1", "token_type": "DIRECT_DEBIT", "token_link": "x"},
        {"account_id": "1"},
        "not json",
    ],
)
async def test_an_answer_we_cannot_trust_is_500_never_access(answer: object) -> None:
    def respond(_: httpx.Request) -> httpx.Response:
        if isinstance(answer, str):
            return httpx.Response(200, text=answer)
        return httpx.Response(200, json=answer)

    app = create_app(
        Settings(connector_url="http://connector.test", log_json=True),
        connector_transport=httpx.MockTransport(respond),
    )
    mount_probe(app)
    key = api_keys.make_key("some-token", SECRET)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://p.test"
        ) as client:
            response = await client.get("/v1/probe/payments", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 500
