"""Our publicapi's OpenAPI document against the contract (``publicapi_spec.json``).

For every operation implemented so far: same path and method, same parameters (name,
location, required), same request-body properties and required fields, same status codes.
Operations not implemented yet are listed with the reason.
"""

from __future__ import annotations

from typing import Any

import pytest

from publicapi.app import create_app
from publicapi.config import Settings
from tests.contract.shared import load_spec

IMPLEMENTED: tuple[tuple[str, str], ...] = (
    ("post", "/v1/payments"),
    ("get", "/v1/payments"),
    ("get", "/v1/payments/{paymentId}"),
    ("get", "/v1/payments/{paymentId}/events"),
    ("post", "/v1/payments/{paymentId}/cancel"),
    ("post", "/v1/payments/{paymentId}/capture"),
    ("get", "/v1/payments/{paymentId}/refunds"),
    ("post", "/v1/payments/{paymentId}/refunds"),
    ("get", "/v1/payments/{paymentId}/refunds/{refundId}"),
    ("get", "/v1/refunds"),
    ("post", "/v1/auth"),
    ("get", "/v1/agreements"),
    ("post", "/v1/agreements"),
    ("get", "/v1/agreements/{agreementId}"),
    ("post", "/v1/agreements/{agreementId}/cancel"),
    ("get", "/v1/disputes"),
)
#: Every operation of the contract is implemented (issue 13); kept for the next contract change.
NOT_IMPLEMENTED: dict[tuple[str, str], str] = {}
#: Our paths outside the contract: served, but not part of the public API's document.
OURS_ONLY = {"/healthcheck"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec()


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    document: dict[str, Any] = create_app(Settings(log_json=True)).openapi()
    return document


def _operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method, path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        target: dict[str, Any] = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        return _resolve(document, target)
    return schema


def _parameters(operation: dict[str, Any]) -> set[tuple[str, str, bool]]:
    return {(p["name"], p["in"], bool(p.get("required", False))) for p in operation.get("parameters", [])}


def _body(document: dict[str, Any], operation: dict[str, Any]) -> tuple[set[str], set[str]] | None:
    body = operation.get("requestBody")
    if body is None:
        return None
    schema = _resolve(document, body["content"]["application/json"]["schema"])
    return set(schema.get("properties", {})), set(schema.get("required", []))


def test_every_contract_operation_is_implemented_or_listed(spec: dict[str, Any]) -> None:
    assert _operations(spec) == set(IMPLEMENTED) | set(NOT_IMPLEMENTED)


def test_we_document_exactly_the_implemented_operations(spec: dict[str, Any], ours: dict[str, Any]) -> None:
    our_operations = {op for op in _operations(ours) if op[1] not in OURS_ONLY}
    assert our_operations == set(IMPLEMENTED)
    for method, path in NOT_IMPLEMENTED:
        print(f"not yet implemented: {method.upper()} {path} ({NOT_IMPLEMENTED[(method, path)]})")  # noqa: T201


@pytest.mark.parametrize(("method", "path"), IMPLEMENTED, ids=[f"{m.upper()} {p}" for m, p in IMPLEMENTED])
def test_operation_matches_the_contract(
    spec: dict[str, Any], ours: dict[str, Any], method: str, path: str
) -> None:
    theirs, mine = spec["paths"][path][method], ours["paths"][path][method]

    assert mine["operationId"] == theirs["operationId"]
    assert _parameters(mine) == _parameters(theirs)
    assert _body(ours, mine) == _body(spec, theirs)
    assert set(mine["responses"]) == set(theirs["responses"])
