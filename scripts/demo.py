"""The demo account of ``make run``: a sandbox account with a ready API key.

Called by ``scripts/run.py`` once every service answers, with the services' environment.
Idempotent across runs: what it made is remembered in ``.data/demo.json`` (kept out of git,
next to the embedded database) and reused while connector still accepts the key; otherwise
a new key (and, if the account is gone too, a new account) is made.

Prints the key and a ``curl`` that creates a payment through the public API.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Where the demo account and key are remembered (tests point it elsewhere).
STATE_FILE = Path(os.environ.get("PAY_DEMO_STATE_FILE", ROOT / ".data" / "demo.json"))
SERVICE_NAME = "Demo service"
KEY_DESCRIPTION = "Demo key created by make run"

sys.path.insert(0, str(ROOT))

from connector.cli import AdminClient, AdminError  # noqa: E402


def _connector_url() -> str:
    port = os.environ.get("CONNECTOR_PORT", "9300")
    return os.environ.get("PUBLICAPI_CONNECTOR_URL", f"http://127.0.0.1:{port}")


def _publicapi_url() -> str:
    port = os.environ.get("PUBLICAPI_PORT", "9100")
    return os.environ.get("PUBLICAPI_BASE_URL", f"http://localhost:{port}").rstrip("/")


def _load_state(path: Path) -> dict[str, Any]:
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) else {}


def _save_state(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The file holds a live API key: created readable by its owner only, never wider.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(json.dumps(state, indent=2) + "\n")
    path.chmod(0o600)


def ensure_demo_key(client: AdminClient, state_file: Path = STATE_FILE) -> tuple[str, str, bool]:
    """``(account_id, api_key, reused)``: the remembered key if still valid, else a new one."""
    state = _load_state(state_file)
    account_id = str(state.get("account_id") or "")
    api_key = str(state.get("api_key") or "")
    if account_id and api_key:
        resolved = client.resolve_key(api_key)
        if resolved is not None and str(resolved.get("account_id")) == account_id:
            return account_id, api_key, True
    if not account_id or not client.account_exists(account_id):
        account = client.create_account(
            service_name=SERVICE_NAME, description="Sandbox account created by make run"
        )
        account_id = str(account["gateway_account_id"])
    api_key = client.create_key(account_id, description=KEY_DESCRIPTION, created_by="make run")
    _save_state(state_file, {"account_id": account_id, "api_key": api_key})
    return account_id, api_key, False


def curl_command(publicapi_url: str, api_key: str) -> str:
    body = {
        "amount": 1000,
        "description": "Demo payment",
        "reference": "demo-reference",
        "return_url": "https://www.gov.uk/",
    }
    return " \\\n    ".join(
        [
            f"curl -sS -X POST {publicapi_url}/v1/payments",
            f"-H {shlex.quote('Authorization: Bearer ' + api_key)}",
            "-H 'Content-Type: application/json'",
            f"-d {shlex.quote(json.dumps(body))}",
        ]
    )


def main() -> int:
    client = AdminClient(_connector_url())
    try:
        account_id, api_key, reused = ensure_demo_key(client)
    except AdminError as exc:
        print(f"\n• demo account not ready: {exc}")
        return 1
    finally:
        client.close()
    print(f"\n• demo sandbox account {account_id} ({'reused' if reused else 'created'}; see {STATE_FILE})")
    print(f"  API key: {api_key}")
    print("  Create a payment through the public API:\n")
    print("    " + curl_command(_publicapi_url(), api_key))
    return 0


if __name__ == "__main__":
    sys.exit(main())
