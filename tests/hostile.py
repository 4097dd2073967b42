"""Classes of hostile input, shared by the per-service ``test_hostile_input.py`` modules.

Each class turns a valid JSON body into raw bytes (and headers) a hostile or broken client
might send instead. :func:`database_state` lets a test prove that nothing was written.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

JSON = {"Content-Type": "application/json"}


@dataclass(frozen=True)
class Hostile:
    """One way of spoiling a body: ``make(valid_body) -> (raw bytes, headers)``."""

    name: str
    make: Callable[[dict[str, Any]], tuple[bytes, dict[str, str]]]
    #: Which leaves it spoils: "strings", "ints", or the whole "body".
    targets: str = "body"


def _replace_leaves(value: Any, *, strings: Any = None, ints: Any = None) -> Any:
    """``value`` with every string (or int, never a bool) leaf swapped for a marker."""
    if isinstance(value, dict):
        return {key: _replace_leaves(item, strings=strings, ints=ints) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_leaves(item, strings=strings, ints=ints) for item in value]
    if strings is not None and isinstance(value, str):
        return strings
    if ints is not None and isinstance(value, int) and not isinstance(value, bool):
        return ints
    return value


STRING_MARK = "@@STRING@@"
INT_MARK = -987654321


def _strings_as(raw_json: str) -> Callable[[dict[str, Any]], tuple[bytes, dict[str, str]]]:
    """Every string value becomes the JSON text ``raw_json`` (e.g. ``"a\\u0000b"``); a body
    without strings gets one more field holding it."""

    def make(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        spoiled = _replace_leaves(body, strings=STRING_MARK)
        if spoiled == body:
            spoiled = {**body, "reference": STRING_MARK}
        return json.dumps(spoiled).replace(json.dumps(STRING_MARK), raw_json).encode(), JSON

    return make


def _ints_as(raw_json: str) -> Callable[[dict[str, Any]], tuple[bytes, dict[str, str]]]:
    """Every integer value becomes the JSON text ``raw_json`` (e.g. ``NaN``); a body without
    integers gets one more field holding it."""

    def make(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        spoiled = _replace_leaves(body, ints=INT_MARK)
        if spoiled == body:
            spoiled = {**body, "amount": INT_MARK}
        return json.dumps(spoiled).replace(str(INT_MARK), raw_json).encode(), JSON

    return make


def spoils(hostile: Hostile, body: dict[str, Any]) -> bool:
    """Whether ``hostile`` changes a field of ``body`` (not only adds one an endpoint ignores)."""
    if hostile.targets == "strings":
        return bool(_replace_leaves(body, strings=STRING_MARK) != body)
    if hostile.targets == "ints":
        return bool(_replace_leaves(body, ints=INT_MARK) != body)
    return True


def _deep(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    levels = 10_000  # the 20 KB body
    return ('{"nested": ' + "[" * levels + "]" * levels + "}").encode(), JSON


def _text_plain(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return json.dumps(body).encode(), {"Content-Type": "text/plain"}


def _oversized(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return json.dumps({**body, "padding": "x" * 1_100_000}).encode(), JSON


def _invalid_utf8(body: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    return _strings_as('"a"')(body)[0].replace(b'"a"', b'"\xff\xfe"'), JSON


#: Refused before any endpoint runs (pay_common's edge): (class, expected status).
EDGE_CLASSES: list[tuple[Hostile, int]] = [
    (Hostile("nul", _strings_as('"a\\u0000b"')), 400),
    (Hostile("lone-surrogate", _strings_as('"\\ud800"')), 400),
    (Hostile("invalid-utf8", _invalid_utf8), 400),
    (Hostile("deep-json", _deep), 400),
    (Hostile("huge-number", _ints_as("1" * 5000)), 400),
    (Hostile("beyond-bigint", _ints_as(str(2**64))), 400),
    (Hostile("1e400", _ints_as("1e400")), 400),
    (Hostile("nan", _ints_as("NaN")), 400),
    (Hostile("infinity", _ints_as("-Infinity")), 400),
    (Hostile("text-plain", _text_plain), 415),
    (Hostile("oversized", _oversized), 413),
]

#: Well-formed JSON of the wrong type: each endpoint answers with its own 4xx.
TYPE_CLASSES: list[Hostile] = [
    Hostile("boolean-for-integer", _ints_as("true"), "ints"),
    Hostile("float-for-integer", _ints_as("1.5"), "ints"),
    Hostile("arabic-indic-digits", _ints_as('"\u0661\u0662"'), "ints"),
    Hostile("superscript-digit", _ints_as('"\u00b9"'), "ints"),
    Hostile("object-for-string", _strings_as('{"a": 1}'), "strings"),
]


async def database_state(session: AsyncSession, *, ignore: tuple[str, ...] = ()) -> dict[str, str]:
    """A digest of every row of every table but ``ignore`` (so an UPDATE shows, not only an INSERT)."""
    tables = (
        await session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"))
    ).all()
    state = {}
    for table in (name for name in tables if name not in ignore):
        digest = f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{table}\" t"
        state[table] = str(await session.scalar(text(digest)))
    await session.rollback()
    return state
