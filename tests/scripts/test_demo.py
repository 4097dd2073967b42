"""``scripts/demo.py``: the demo account and key of ``make run``, idempotent across runs."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from connector.cli import AdminClient
from pay_common import api_keys
from scripts.demo import curl_command, ensure_demo_key
from tests.served import serve_connector

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def connector_url(database_url: str) -> Iterator[str]:
    with serve_connector(database_url) as url:
        yield url


@pytest.fixture
def admin(connector_url: str) -> Iterator[AdminClient]:
    client = AdminClient(connector_url)
    yield client
    client.close()


def test_first_run_creates_an_account_and_key_later_runs_reuse_them(
    admin: AdminClient, tmp_path: Path
) -> None:
    state = tmp_path / "demo.json"

    account_id, key, reused = ensure_demo_key(admin, state)
    again = ensure_demo_key(admin, state)

    assert reused is False
    assert again == (account_id, key, True)
    assert api_keys.verify_key(key, "test-hmac-secret")
    assert admin.resolve_key(key) is not None
    assert json.loads(state.read_text()) == {"account_id": account_id, "api_key": key}
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    assert len(admin.list_keys(account_id)) == 1


def test_a_revoked_key_is_replaced_on_the_same_account(admin: AdminClient, tmp_path: Path) -> None:
    state = tmp_path / "demo.json"
    account_id, key, _ = ensure_demo_key(admin, state)
    admin.revoke_key(account_id, admin.list_keys(account_id)[0]["token_link"])

    same_account, new_key, reused = ensure_demo_key(admin, state)

    assert (same_account, reused) == (account_id, False)
    assert new_key != key
    assert admin.resolve_key(new_key) is not None


def test_a_forgotten_account_is_made_again(admin: AdminClient, tmp_path: Path) -> None:
    state = tmp_path / "demo.json"
    state.write_text(json.dumps({"account_id": "987654", "api_key": "stale"}))

    account_id, key, reused = ensure_demo_key(admin, state)

    assert account_id != "987654"
    assert reused is False
    assert admin.resolve_key(key) is not None


def test_the_script_prints_the_key_and_a_curl_for_the_public_api(connector_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PUBLICAPI_CONNECTOR_URL": connector_url,
        "PUBLICAPI_BASE_URL": "http://localhost:9100",
        "PAY_DEMO_STATE_FILE": str(tmp_path / "demo.json"),
    }
    result = subprocess.run(
        [sys.executable, "scripts/demo.py"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    key = json.loads((tmp_path / "demo.json").read_text())["api_key"]
    assert f"API key: {key}" in result.stdout
    assert "curl -sS -X POST http://localhost:9100/v1/payments" in result.stdout
    assert f"'Authorization: Bearer {key}'" in result.stdout


def test_the_script_reports_an_unreachable_connector(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PUBLICAPI_CONNECTOR_URL": "http://127.0.0.1:9",
        "PAY_DEMO_STATE_FILE": str(tmp_path / "d.json"),
    }
    result = subprocess.run(
        [sys.executable, "scripts/demo.py"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "demo account not ready: cannot reach connector" in result.stdout


def test_the_curl_body_is_a_valid_create_payment_request() -> None:
    command = curl_command("http://localhost:9100", "KEY")
    body = json.loads(command.split("-d ", 1)[1].strip("'"))
    assert set(body) == {"amount", "description", "reference", "return_url"}
    assert isinstance(body["amount"], int)
    assert httpx.URL(body["return_url"]).scheme == "https"
