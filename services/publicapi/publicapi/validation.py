"""Small readers for hand-parsed JSON bodies (publicapi.md §d.1).

The original reads bodies with hand-written parsers rather than a schema library, so that
it can tell a wrong JSON type (400) from a bad value (422) and report one field at a time
with exact messages. These helpers keep that logic small and typed.
"""

from __future__ import annotations

import json
from typing import Any

from publicapi.errors import PublicApiError

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


def parse_json_object(raw: bytes, parse_error_code: str) -> dict[str, Any]:
    """The body as a JSON object, or 400 ``Unable to parse JSON`` with the operation's code."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict):
        raise PublicApiError(parse_error_code, "Unable to parse JSON", status_code=400)
    return value


def is_json_int(value: Any) -> bool:
    """A JSON integer (``true`` is not one, nor ``1.0``) that fits a 32-bit int."""
    return isinstance(value, int) and not isinstance(value, bool) and INT32_MIN <= value <= INT32_MAX


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def contains_nul(value: Any) -> bool:
    """Whether a JSON value holds U+0000 anywhere (PostgreSQL text cannot store it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False


def first_field_with_nul(body: dict[str, Any]) -> str | None:
    """The first top-level field whose value holds U+0000: such input can never be stored."""
    return next((field for field, value in body.items() if contains_nul(field) or contains_nul(value)), None)
