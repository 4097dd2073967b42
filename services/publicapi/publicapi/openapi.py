"""Our OpenAPI document, shaped like the contract (``publicapi_spec.json``).

Bodies are parsed by hand (publicapi.md §d needs 400 vs 422 and exact messages), so request
schemas are documented through ``openapi_extra``; FastAPI's own "Validation Error" 422
responses are removed because our validation answers with the public error envelope.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    202: "ACCEPTED",
    204: "No Content",
    400: "Bad request",
    401: "Credentials are required to access this resource",
    402: "Card details rejected",
    404: "Not found",
    409: "Conflict",
    412: "Refund amount available mismatch",
    422: "Invalid attribute value",
    429: "Too many requests",
    500: "Downstream system error",
}


def responses(*status_codes: int) -> dict[int | str, dict[str, Any]]:
    """The non-default responses of an operation, with the contract's descriptions."""
    return {code: {"description": DESCRIPTIONS[code]} for code in status_codes}


def _inline(schema: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(definitions[ref.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in schema.items() if key != "$defs"}
    if isinstance(schema, list):
        return [_inline(item, definitions) for item in schema]
    return schema


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON request body we parse ourselves."""
    schema = model.model_json_schema()
    inlined = _inline(schema, schema.get("$defs", {}))
    return {
        "requestBody": {
            "content": {"application/json": {"schema": inlined}},
            "required": True,
        }
    }


def operation(name: str, *status_codes: int, body: type[BaseModel] | None = None) -> dict[str, Any]:
    """Route keyword arguments for a contract operation: its id and summary are both ``name``.

    ``body`` documents a JSON request body we parse ourselves (:func:`json_body`).
    """
    kwargs: dict[str, Any] = {"operation_id": name, "summary": name, "responses": responses(*status_codes)}
    if body is not None:
        kwargs["openapi_extra"] = json_body(body)
    return kwargs


def _without_framework_422(document: dict[str, Any]) -> dict[str, Any]:
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            operation_responses = operation.get("responses", {})
            if operation_responses.get("422", {}).get("description") == "Validation Error":
                del operation_responses["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    return document


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(title=app.title, version=app.version, routes=app.routes)
            app.openapi_schema = _without_framework_422(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
