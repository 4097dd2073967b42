"""Pact verification: connector, served for real, against publicapi's 39 consumer pacts.

Each pact is verified on its own (a fresh set of provider states per interaction, built in
the database by :mod:`tests.contract.provider_states`). The pacts this issue must meet are
verified; the others are listed in :data:`NOT_YET_IN_SCOPE` with the reason, and skipped with
it, so the run shows exactly which contracts are not met yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pact import Verifier

from connector.app import create_app as create_connector_app
from connector.config import Settings as ConnectorSettings
from pay_common.service_auth import SERVICE_TOKEN_HEADER
from tests.contract.provider_states import PATH as STATE_PATH
from tests.contract.provider_states import router as provider_state_router
from tests.contract.shared import MISSING_MESSAGE, PACTS_DIR, shared_available
from tests.served import serve
from tests.service_tokens import service_token_headers

#: Pacts not met yet, with the reason (none: every pact is verified).
NOT_YET_IN_SCOPE: dict[str, str] = {}

#: In-scope pacts connector does not meet yet (strict xfail: they fail the run once they pass,
#: so this list is kept honest). Each names the difference.
CONNECTOR_GAPS: dict[str, str] = {}


def _pact_files() -> list[str]:
    return sorted(path.name for path in PACTS_DIR.glob("*.json")) if shared_available() else []


def _params() -> list[object]:
    if not shared_available():
        return [pytest.param("", marks=pytest.mark.skip(reason=MISSING_MESSAGE), id="no-shared-contracts")]
    params: list[object] = []
    for name in _pact_files():
        marks: list[pytest.MarkDecorator] = []
        if name in NOT_YET_IN_SCOPE:
            marks.append(pytest.mark.skip(reason=f"not yet in scope: {NOT_YET_IN_SCOPE[name]}"))
        elif name in CONNECTOR_GAPS:
            marks.append(
                pytest.mark.xfail(
                    reason=f"connector gap: {CONNECTOR_GAPS[name]}", strict=True, raises=pytest.fail.Exception
                )
            )
        params.append(
            pytest.param(
                name, marks=marks, id=name.removeprefix("publicapi-connector-").removesuffix(".json")
            )
        )
    return params


def _normalised(value: Any) -> Any:
    """The pact with pact-jvm's ``{"match": "value"}`` read as the standard ``equality`` matcher.

    The Rust verifier has no ``value`` matcher; both mean "exactly this value".
    """
    if isinstance(value, dict):
        if value.get("match") == "value":
            return {**value, "match": "equality"}
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    return value


@pytest.fixture(scope="module")
def pacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("pacts")
    for name in _pact_files():
        pact = json.loads((PACTS_DIR / name).read_text())
        (directory / name).write_text(json.dumps(_normalised(pact)))
    return directory


@pytest.fixture(scope="module")
def connector_url(connector_settings: ConnectorSettings) -> Iterator[str]:
    """A real connector (with the test-only provider-state route) on a free port."""
    app: FastAPI = create_connector_app(connector_settings)
    app.include_router(provider_state_router)
    with serve(app) as url:
        yield url


def test_shared_contracts_are_present() -> None:
    if not shared_available():
        pytest.skip(MISSING_MESSAGE)
    assert len(_pact_files()) == 39
    in_scope = [name for name in _pact_files() if name not in NOT_YET_IN_SCOPE]
    assert len(in_scope) == 39
    assert set(NOT_YET_IN_SCOPE) | set(CONNECTOR_GAPS) <= set(_pact_files())


@pytest.mark.parametrize("pact_file", _params())
def test_connector_honours_pact(pact_file: str, connector_url: str, pacts_dir: Path) -> None:
    verifier = (
        Verifier("connector", host="127.0.0.1")
        .add_source(pacts_dir / pact_file)
        .add_transport(url=connector_url)
        # publicapi always sends JSON bodies with this header; the pact files leave it out.
        .add_custom_header("Content-Type", "application/json")
        # Connector refuses its API without a service token; publicapi sends one on every call.
        .add_custom_header(SERVICE_TOKEN_HEADER, service_token_headers("publicapi")[SERVICE_TOKEN_HEADER])
        .state_handler(f"{connector_url}{STATE_PATH}", teardown=True, body=True)
        .set_request_timeout(10_000)
    )
    try:
        verifier.verify()
    except RuntimeError:
        pytest.fail(f"{pact_file} not honoured:\n{verifier.output(strip_ansi=True)}", pytrace=False)
