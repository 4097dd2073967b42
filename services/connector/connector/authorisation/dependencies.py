"""Body readers for the frontend journey: unparsable JSON or a non-object body is a 400."""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from connector.errors import BadRequest, ConnectorError

Model = TypeVar("Model", bound=BaseModel)


async def read_json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Unable to parse JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    # NUL and lone surrogates never get here: pay_common.asgi.JsonBodyMiddleware refuses them.
    return body


JsonObject = Annotated[dict[str, Any], Depends(read_json_object)]


def body_as(model: type[Model], body: dict[str, Any], refusal: ConnectorError) -> Model:
    """``body`` read as ``model``; a body that does not fit is answered with ``refusal``, the
    endpoint's own error, rather than with FastAPI's list of validation errors."""
    try:
        return model.model_validate(body)
    except ValidationError:
        raise refusal from None
