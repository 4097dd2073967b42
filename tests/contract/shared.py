"""Where the shared reference material lives (``../shared`` next to the repository).

Contract tests need the pacts and the OpenAPI contract from it; without it they skip with
a message saying so, rather than fail.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DIR = Path(os.environ.get("PAY_SHARED_DIR", REPO_ROOT.parent / "shared"))
CONTRACTS_DIR = SHARED_DIR / "contracts"
PACTS_DIR = CONTRACTS_DIR / "pacts"
PUBLICAPI_SPEC = CONTRACTS_DIR / "publicapi_spec.json"

MISSING_MESSAGE = (
    f"shared contracts not found at {CONTRACTS_DIR} (set PAY_SHARED_DIR): contract checks skipped"
)


def require_shared() -> None:
    if not PACTS_DIR.is_dir() or not PUBLICAPI_SPEC.is_file():
        pytest.skip(MISSING_MESSAGE)


def shared_available() -> bool:
    return PACTS_DIR.is_dir() and PUBLICAPI_SPEC.is_file()


def load_pact(name: str) -> dict[str, Any]:
    require_shared()
    pact: dict[str, Any] = json.loads((PACTS_DIR / name).read_text())
    return pact


def pact_response(name: str) -> dict[str, Any]:
    """The connector response of a pact's single interaction."""
    response: dict[str, Any] = load_pact(name)["interactions"][0]["response"]
    return response


def load_spec() -> dict[str, Any]:
    require_shared()
    spec: dict[str, Any] = json.loads(PUBLICAPI_SPEC.read_text())
    return spec
