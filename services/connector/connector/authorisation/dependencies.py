"""Body readers for the frontend journey: unparsable JSON or a non-object body is a 400."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from connector.errors import BadRequest


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
    if _holds_nul(body):
        # PostgreSQL text cannot hold U+0000: refuse it here rather than fail at the database.
        raise BadRequest("The request body must not contain NUL characters")
    return body


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


JsonObject = Annotated[dict[str, Any], Depends(read_json_object)]
