"""pay_common.json_input: what a strict read of a request body refuses, and where."""

from __future__ import annotations

import pytest

from pay_common.json_input import (
    MAX_DEPTH,
    JsonInputError,
    Problem,
    first_field_with_bad_text,
    is_ascii_digits,
    is_json_media_type,
    loads_strict,
)


@pytest.mark.parametrize(
    ("raw", "problem", "field"),
    [
        (b'{"a": "x\\u0000"}', Problem.NUL, "a"),
        (b'{"a": {"b": ["\\ud800"]}}', Problem.SURROGATE, "a"),
        (b'{"\\udfff": 1}', Problem.SURROGATE, "\udfff"),
        (b'{"a": NaN}', Problem.BAD_NUMBER, None),
        (b'{"a": -Infinity}', Problem.BAD_NUMBER, None),
        (b'{"a": 1e400}', Problem.BAD_NUMBER, None),
        (b'{"a": 9223372036854775808}', Problem.BAD_NUMBER, None),
        (b'{"a": ' + b"1" * 5000 + b"}", Problem.BAD_NUMBER, None),
        (b'{"a": "\xff"}', Problem.MALFORMED, None),
        (b"{", Problem.MALFORMED, None),
        (b'{"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", Problem.TOO_DEEP, None),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), Problem.TOO_DEEP, None),
    ],
)
def test_refused_bodies_name_the_problem_and_field(raw: bytes, problem: Problem, field: str | None) -> None:
    with pytest.raises(JsonInputError) as refused:
        loads_strict(raw)

    assert refused.value.problem is problem
    assert refused.value.field == field


def test_ordinary_bodies_read_as_json_loads_would() -> None:
    raw = '{"amount": 9223372036854775807, "ratio": 1.5, "name": "Zoë 💳", "deep": [[[1]]]}'.encode()

    assert loads_strict(raw) == {"amount": 2**63 - 1, "ratio": 1.5, "name": "Zoë 💳", "deep": [[[1]]]}
    assert loads_strict(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None


def test_text_checks_and_int_bounds_can_be_left_to_the_caller() -> None:
    body = loads_strict(b'{"a": "\\u0000", "b": 99999999999999999999999}', check_text=False, bound_ints=False)

    assert body == {"a": "\x00", "b": 99999999999999999999999}
    assert first_field_with_bad_text(body) == "a"


def test_only_ascii_digits_are_digits() -> None:
    assert is_ascii_digits("0123456789")
    assert not is_ascii_digits("\u00b9")
    assert not is_ascii_digits("\u0661\u0662")
    assert not is_ascii_digits("")


@pytest.mark.parametrize(
    ("content_type", "is_json"),
    [
        (None, True),
        ("application/json", True),
        ("application/json; charset=utf-8", True),
        ("application/merge-patch+json", True),
        ("text/plain", False),
        ("application/x-www-form-urlencoded", False),
    ],
)
def test_json_media_types(content_type: str | None, is_json: bool) -> None:
    assert is_json_media_type(content_type) is is_json
