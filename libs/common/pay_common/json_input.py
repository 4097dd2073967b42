"""Strict reading of JSON request bodies: what the standard library accepts but we cannot store.

``json.loads`` happily returns values that blow up later, far from the request: a lone
surrogate (``"\\ud800"``) that PostgreSQL's UTF-8 cannot encode, U+0000 that PostgreSQL text
cannot hold, ``NaN``/``Infinity`` and ``1e400`` (infinite) that no amount can be, integers too
large for any column, and nesting deep enough to exhaust the interpreter's recursion limit.
:func:`loads_strict` refuses all of them at the edge with a :class:`JsonInputError` naming the
problem and the top-level field it was found in, so each service can answer with its own
documented 4xx before anything is written.
"""

from __future__ import annotations

import enum
import json
import math
from typing import Any

#: Deepest nesting accepted (our deepest body, prefilled cardholder details, is 3 levels).
MAX_DEPTH = 32
#: The largest integer any of our columns holds (PostgreSQL ``bigint``).
MAX_INT = 2**63 - 1


class Problem(enum.Enum):
    MALFORMED = "malformed"  # not JSON, or not UTF-8
    TOO_DEEP = "too_deep"
    BAD_NUMBER = "bad_number"  # NaN, Infinity, 1e400, an integer beyond bigint
    NUL = "nul"
    SURROGATE = "surrogate"

    @property
    def is_parse_error(self) -> bool:
        """Whether the body as a whole is unreadable (rather than one field's text)."""
        return self not in (Problem.NUL, Problem.SURROGATE)


class JsonInputError(ValueError):
    """A body :func:`loads_strict` refuses; ``field`` is the top-level key holding the problem."""

    def __init__(self, problem: Problem, field: str | None = None) -> None:
        super().__init__(problem.value if field is None else f"{problem.value} in {field}")
        self.problem = problem
        self.field = field


def _refuse_constant(_: str) -> Any:
    raise JsonInputError(Problem.BAD_NUMBER)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(Problem.BAD_NUMBER)
    return value


def _bounded_int(text: str) -> int:
    # Length first: int() of a 4,300-digit literal is already refused, but slowly.
    if len(text) > 20 or abs(value := int(text)) > MAX_INT:
        raise JsonInputError(Problem.BAD_NUMBER)
    return value


def _any_int(text: str) -> int:
    if len(text) > 64:  # far beyond any field; int() would be slow, then refuse at 4,300 digits
        raise JsonInputError(Problem.BAD_NUMBER)
    return int(text)


def text_problem(text: str) -> Problem | None:
    """NUL or a lone surrogate in ``text``, if any."""
    if "\x00" in text:
        return Problem.NUL
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return Problem.SURROGATE
    return None


def loads_strict(raw: bytes | str, *, check_text: bool = True, bound_ints: bool = True) -> Any:
    """The JSON value of ``raw``, or :class:`JsonInputError` for anything we cannot store.

    ``check_text=False`` leaves NUL and surrogates to the caller (who reports them per field,
    in its own order), refusing only what makes the body unreadable as a whole;
    ``bound_ints=False`` lets integers up to 64 digits through, for a caller whose contract
    reports a too-large number as an invalid field rather than unparsable JSON.
    """
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int if bound_ints else _any_int,
        )
    except JsonInputError:
        raise
    except RecursionError:
        raise JsonInputError(Problem.TOO_DEEP) from None
    except ValueError:  # includes UnicodeDecodeError and json.JSONDecodeError
        raise JsonInputError(Problem.MALFORMED) from None
    _check_tree(value, check_text=check_text)
    return value


def _check_tree(value: Any, *, check_text: bool) -> None:
    """Depth, NUL and surrogates everywhere, without recursion (the tree may be ~1,000 deep)."""
    if isinstance(value, dict):
        roots: list[tuple[str | None, Any]] = [(str(key), item) for key, item in value.items()]
        for key in value:
            _check_text(key, key, check_text)
    else:
        roots = [(None, value)]
    for field, root in roots:
        stack: list[tuple[Any, int]] = [(root, 2 if isinstance(value, dict) else 1)]
        while stack:
            item, depth = stack.pop()
            if isinstance(item, str):
                _check_text(item, field, check_text)
            elif isinstance(item, dict | list):
                if depth > MAX_DEPTH:
                    raise JsonInputError(Problem.TOO_DEEP)
                children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
                stack.extend((child, depth + 1) for child in children)


def _check_text(text: str, field: str | None, check_text: bool) -> None:
    problem = text_problem(text) if check_text else None
    if problem is not None:
        raise JsonInputError(problem, field)


def holds_bad_text(value: Any) -> bool:
    """Whether a parsed JSON value holds NUL or a lone surrogate anywhere (keys included)."""
    if isinstance(value, str):
        return text_problem(value) is not None
    if isinstance(value, dict):
        return any(holds_bad_text(key) or holds_bad_text(item) for key, item in value.items())
    if isinstance(value, list):
        return any(holds_bad_text(item) for item in value)
    return False


def first_field_with_bad_text(body: dict[str, Any]) -> str | None:
    """The first top-level field whose key or value holds NUL or a lone surrogate."""
    return next(
        (field for field, value in body.items() if holds_bad_text(field) or holds_bad_text(value)), None
    )


def is_json_media_type(content_type: str | None) -> bool:
    """``application/json`` or ``application/<x>+json`` (parameters such as charset allowed)."""
    if content_type is None:
        return True  # FastAPI reads a body without Content-Type as JSON; clients rely on it
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


def is_ascii_digits(text: str) -> bool:
    """Only ``0``-``9`` (``str.isdigit`` also accepts ``²`` and Arabic-Indic digits, which
    ``int()`` then refuses or reads as other numbers)."""
    return text.isascii() and text.isdigit()
