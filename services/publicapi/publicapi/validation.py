"""Small readers for hand-parsed JSON bodies (publicapi.md §d.1).

The original reads bodies with hand-written parsers rather than a schema library, so that
it can tell a wrong JSON type (400) from a bad value (422) and report one field at a time
with exact messages. These helpers keep that logic small and typed.
"""

from __future__ import annotations

from typing import Any

from pay_common.json_input import JsonInputError, loads_strict
from publicapi.errors import PublicApiError

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1


def parse_json_object(raw: bytes, parse_error_code: str) -> dict[str, Any]:
    """The body as a JSON object, or 400 ``Unable to parse JSON`` with the operation's code.

    Too deep, ``NaN`` or ``1e400`` counts as unparsable; NUL, lone surrogates and integers too
    large for their field are left to the operation's parser, which names the field
    (:func:`pay_common.json_input.first_field_with_bad_text`, :func:`is_json_int`).
    """
    try:
        value = loads_strict(raw, check_text=False, bound_ints=False)
    except JsonInputError:
        value = None
    if not isinstance(value, dict):
        raise PublicApiError(parse_error_code, "Unable to parse JSON", status_code=400)
    return value


def is_json_int(value: Any) -> bool:
    """A JSON integer (``true`` is not one, nor ``1.0``) that fits a 32-bit int."""
    return isinstance(value, int) and not isinstance(value, bool) and INT32_MIN <= value <= INT32_MAX


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
