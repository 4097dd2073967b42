"""Reading a JSON body's fields by hand, collecting every error before answering (the
``Field [name] ...`` messages of connector.md), for the endpoints whose errors are listed together."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: The length error of the account endpoints; telephone payments word theirs as upstream does.
TOO_LONG = "Field [{name}] must be {limit} characters or fewer"


def optional_string(
    body: Mapping[str, Any],
    name: str,
    errors: list[str],
    limit: int | None = None,
    *,
    too_long: str = TOO_LONG,
) -> str | None:
    """The member if it is a string (None when absent or null); otherwise an error is added and
    None returned. Longer than ``limit``: an error is added, and the value still returned so the
    caller's later checks see it."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        errors.append(f"Field [{name}] must be a string")
        return None
    if limit is not None and len(value) > limit:
        errors.append(too_long.format(name=name, limit=limit))
    return value
