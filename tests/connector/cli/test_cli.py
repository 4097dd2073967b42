"""``pay-admin`` against a real connector served over HTTP on a free port."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator

import asyncpg
import httpx
import jwt
import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from connector.cli import app as cli
from pay_common import api_keys
from pay_common.service_auth import SERVICE_TOKEN_HEADER, ServiceTokenSigner
from tests.served import serve_connector
from tests.service_tokens import TEST_SERVICE_TOKEN_KEY, service_token_headers

runner = CliRunner()


@pytest.fixture(scope="module")
def connector_url(database_url: str) -> Iterator[str]:
    with serve_connector(database_url) as url:
        yield url


def run(connector_url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["--connector-url", connector_url, *args])
    return result.exit_code, result.output


def test_create_account_then_keys_end_to_end(connector_url: str) -> None:
    code, output = run(connector_url, "create-account", "--service-name", "CLI service", "--json")
    assert code == 0, output
    account = json.loads(output)
    assert account["payment_provider"] == "sandbox"
    assert account["type"] == "test"
    account_id = account["gateway_account_id"]

    code, key = run(connector_url, "create-key", account_id, "--description", "cli key")
    key = key.strip()
    assert code == 0
    assert api_keys.verify_key(key, "test-hmac-secret")
    resolved = httpx.get(
        f"{connector_url}/v1/api/auth", headers={"Authorization": f"Bearer {key}", **service_token_headers()}
    )
    assert resolved.json()["account_id"] == account_id

    code, output = run(connector_url, "list-keys", account_id, "--json")
    assert code == 0
    tokens = json.loads(output)
    assert [t["description"] for t in tokens] == ["cli key"]
    assert tokens[0]["created_by"] == "pay-admin"
    code, text = run(connector_url, "list-keys", account_id)
    assert tokens[0]["token_link"] in text
    assert key not in text

    code, output = run(connector_url, "revoke-key", account_id, tokens[0]["token_link"])
    assert code == 0
    assert output.startswith(f"Revoked {tokens[0]['token_link']}")
    assert (
        httpx.get(
            f"{connector_url}/v1/api/auth",
            headers={"Authorization": f"Bearer {key}", **service_token_headers()},
        ).status_code
        == 401
    )
    assert run(connector_url, "list-keys", account_id) == (0, "No keys.\n")
    code, output = run(connector_url, "list-keys", account_id, "--revoked")
    assert "cli key" in output
    assert "revoked" in output


def test_human_output_of_create_account(connector_url: str) -> None:
    code, output = run(connector_url, "create-account")
    assert code == 0
    assert output.startswith("Created sandbox test account ")


def test_connector_errors_are_reported_with_exit_code_1(connector_url: str) -> None:
    code, output = run(connector_url, "create-key", "999999")
    assert code == 1
    assert "connector answered 404: Gateway account [999999] not found" in output

    code, output = run(connector_url, "revoke-key", "1", "no-such-link")
    assert code == 1
    assert "Could not revoke token" in output


def test_an_unreachable_connector_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, output = run(f"http://127.0.0.1:{port}", "list-keys", "1")
    assert code == 1
    assert f"cannot reach connector at http://127.0.0.1:{port}" in output


def test_dead_jobs_are_listed_and_retried(connector_url: str, database_url: str) -> None:
    async def make_dead_job() -> int:
        dsn = make_url(database_url).set(drivername="postgresql").render_as_string(False)
        connection = await asyncpg.connect(dsn)
        try:
            job_id: int = await connection.fetchval(
                "INSERT INTO procrastinate_jobs (queue_name, task_name, args, status, attempts)"
                " VALUES ('default', 'charge.capture', '{\"charge_external_id\": \"abc\"}', 'failed', 8) RETURNING id"
            )
        finally:
            await connection.close()
        return job_id

    job_id = asyncio.run(make_dead_job())

    code, output = run(connector_url, "dead-jobs", "--task", "charge.capture")
    assert code == 0, output
    assert output.startswith(f"{job_id}\tcharge.capture\t")
    assert "8 attempts" in output

    code, output = run(connector_url, "retry-job", str(job_id))
    assert (code, output.strip()) == (0, f"Job {job_id} queued again")
    assert run(connector_url, "dead-jobs")[1].strip() == "No dead jobs."
    code, output = run(connector_url, "retry-job", str(job_id))
    assert code == 1
    assert "404" in output


def test_connector_refuses_its_api_without_a_service_token(connector_url: str) -> None:
    refused = httpx.get(f"{connector_url}/v1/api/accounts/1")
    forged = ServiceTokenSigner("pay_admin", "not-the-key-connector-has-for-pay-admin").mint()
    with_forged = httpx.get(f"{connector_url}/v1/api/accounts/1", headers={SERVICE_TOKEN_HEADER: forged})

    assert refused.status_code == 401
    assert refused.json() == {"message": ["A valid service token is required"]}
    assert with_forged.status_code == 401
    assert httpx.get(f"{connector_url}/healthcheck").status_code == 200


def test_service_token_prints_a_token_connector_accepts_for_the_ttl_asked(connector_url: str) -> None:
    code, output = run(connector_url, "service-token", "--ttl", "120")
    token = output.strip()
    claims = jwt.decode(token, TEST_SERVICE_TOKEN_KEY, algorithms=["HS256"], audience="connector")

    assert code == 0
    assert claims["iss"] == "pay_admin"
    assert claims["exp"] - claims["iat"] == 120
    answered = httpx.get(f"{connector_url}/v1/api/accounts/999999", headers={SERVICE_TOKEN_HEADER: token})
    assert answered.status_code == 404


def test_service_token_lifetime_is_bounded(connector_url: str) -> None:
    code, output = run(connector_url, "service-token", "--ttl", "86400")

    assert code == 2
    assert "less than or equal to 3600" in output
