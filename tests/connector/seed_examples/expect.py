"""Compare a connector response with a seed document's response example.

The seeds' examples are written by hand: their ids, dates and hosts are placeholders, so those
members are compared by shape (:data:`ANY_ID`, :data:`TIMESTAMP`, :data:`URL`, :class:`Links`) and
every other member exactly. Members the example does not show are allowed (the connector answers
more than the oldest seeds knew about, as the pacts require); a member the example shows must be
there. Where our answer differs on purpose, the test says so and ``docs/decisions.md`` says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Shape:
    """A member compared by a predicate rather than by value."""

    name: str
    check: Callable[[Any], bool]

    def __repr__(self) -> str:
        return self.name


ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})")

ANY_ID = Shape("ANY_ID", lambda v: isinstance(v, (str, int)) and not isinstance(v, bool) and str(v) != "")
ANY_STR = Shape("ANY_STR", lambda v: isinstance(v, str) and v != "")
ANY_INT = Shape("ANY_INT", lambda v: isinstance(v, int) and not isinstance(v, bool))
TIMESTAMP = Shape("TIMESTAMP", lambda v: isinstance(v, str) and ISO_INSTANT.fullmatch(v) is not None)
DATE = Shape("DATE", lambda v: isinstance(v, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) is not None)
URL = Shape("URL", lambda v: isinstance(v, str) and v.startswith(("http://", "https://")))


def one_of(*values: object) -> Shape:
    return Shape(f"one_of{values}", lambda v: v in values)


def message(text: str) -> Shape:
    """The seeds write ``"message": "..."``; the connector answers ``"message": ["..."]`` (the pacts'
    and fact sheet's error shape, which publicapi parses), so the one message must be that text."""
    return Shape(f"message({text!r})", lambda v: v == [text] or v == text)


@dataclass(frozen=True)
class Links:
    """A ``links`` array: every example link (by ``rel``) is present with the same method and
    extra members; ``href`` is compared by shape (the seeds' hosts and ids are placeholders)."""

    expected: Sequence[Mapping[str, Any]]


def assert_like(actual: Any, expected: Any, path: str = "$") -> None:
    """Fail naming the first member of ``actual`` that does not match ``expected``."""
    if isinstance(expected, Shape):
        assert expected.check(actual), f"{path}: {actual!r} is not {expected!r}"
    elif isinstance(expected, Links):
        _assert_links(actual, expected, path)
    elif isinstance(expected, Mapping):
        assert isinstance(actual, Mapping), f"{path}: expected an object, got {actual!r}"
        for name, value in expected.items():
            assert name in actual, f"{path}: member {name!r} missing (has {sorted(actual)})"
            assert_like(actual[name], value, f"{path}.{name}")
    elif isinstance(expected, list):
        assert isinstance(actual, list), f"{path}: expected an array, got {actual!r}"
        assert len(actual) == len(expected), f"{path}: {len(actual)} items, the example has {len(expected)}"
        for index, (item, wanted) in enumerate(zip(actual, expected, strict=True)):
            assert_like(item, wanted, f"{path}[{index}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
        # False == 0 and "1" != 1: a JSON boolean, number or string must be the example's kind.
        assert type(actual) is type(expected), f"{path}: {actual!r} is not a {type(expected).__name__}"


def _assert_links(actual: Any, expected: Links, path: str) -> None:
    assert isinstance(actual, list), f"{path}: expected a links array, got {actual!r}"
    by_rel = {link.get("rel"): link for link in actual if isinstance(link, Mapping)}
    for wanted in expected.expected:
        rel = wanted["rel"]
        assert rel in by_rel, f"{path}: no link with rel {rel!r} (has {sorted(map(str, by_rel))})"
        assert_like(by_rel[rel], {**wanted, "href": URL}, f"{path}[rel={rel}]")


def assert_answers(response: httpx.Response, status: int, body: Any = None) -> None:
    """The example's status code, and its body members when it shows a body."""
    assert response.status_code == status, f"{response.status_code} {response.text}"
    if body is not None:
        assert_like(response.json(), body)
