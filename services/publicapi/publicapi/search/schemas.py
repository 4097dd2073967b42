"""Query-string validation for the searches (publicapi.md §d.7).

Every failing parameter is named, in a fixed order, in one 422 error. Blank values count as
absent. Parameters are declared as plain strings (as the contract does) and checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from publicapi.errors import PublicApiError

#: The public dispute statuses (publicapi.md §f.5).
DISPUTE_STATUSES = ("needs_response", "under_review", "lost", "won")
PAYMENT_STATES = ("created", "started", "submitted", "success", "failed", "cancelled", "error")
MAX_DISPLAY_SIZE = 500
MAX_PAGE = 2**31 - 1
DEFAULT_DISPLAY_SIZE = 500
DIGITS = re.compile(r"^[0-9]+$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
LOCAL_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
SIX_DIGITS = re.compile(r"^[0-9]{6}$")
FOUR_DIGITS = re.compile(r"^[0-9]{4}$")

Params = dict[str, str]
Check = Callable[[str], bool]


def present(params: dict[str, str | None]) -> Params:
    """The non-blank parameters."""
    return {name: value for name, value in params.items() if value is not None and value.strip()}


def _is_zoned_datetime(value: str) -> bool:
    if "T" not in value:
        return False
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return False
    return parsed.tzinfo is not None


def _is_local_date(value: str) -> bool:
    if not LOCAL_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_page(value: str) -> bool:
    # Pages beyond a 32-bit int are refused here (the original fails on them too).
    return bool(DIGITS.match(value)) and 1 <= int(value) <= MAX_PAGE


def _is_display_size(value: str) -> bool:
    return bool(DIGITS.match(value)) and 1 <= int(value) <= MAX_DISPLAY_SIZE


def _max_length(limit: int) -> Check:
    return lambda value: len(value) <= limit


def _matches(pattern: re.Pattern[str]) -> Check:
    return lambda value: bool(pattern.match(value))


PAYMENT_CHECKS: tuple[tuple[str, Check], ...] = (
    ("state", lambda value: value in PAYMENT_STATES),
    ("reference", _max_length(255)),
    ("email", _max_length(254)),
    ("card_brand", _max_length(20)),
    ("from_date", _is_zoned_datetime),
    ("to_date", _is_zoned_datetime),
    ("page", _is_page),
    ("display_size", _is_display_size),
    ("first_digits_card_number", _matches(SIX_DIGITS)),
    ("last_digits_card_number", _matches(FOUR_DIGITS)),
    ("from_settled_date", _is_local_date),
    ("to_settled_date", _is_local_date),
)

AGREEMENT_CHECKS: tuple[tuple[str, Check], ...] = (
    ("status", lambda value: value in ("created", "active", "inactive", "cancelled")),
    ("reference", _max_length(255)),
    ("page", _is_page),
    ("display_size", _is_display_size),
)

REFUND_CHECKS: tuple[tuple[str, Check], ...] = (
    ("from_date", _is_zoned_datetime),
    ("to_date", _is_zoned_datetime),
    ("from_settled_date", _is_local_date),
    ("to_settled_date", _is_local_date),
    ("page", _is_page),
    ("display_size", _is_display_size),
)

#: publicapi.md §d.7: the dispute search checks ``status`` last and names it ``state`` (the
#: original validates the name it forwards to Ledger), so a bad status is reported as ``state``.
DISPUTE_CHECKS: tuple[tuple[str, Check], ...] = (
    *REFUND_CHECKS,
    ("status", lambda value: value in DISPUTE_STATUSES),
)
DISPUTE_ERROR_NAMES = {"status": "state"}


def validate(
    params: Params, checks: tuple[tuple[str, Check], ...], code: str, names: dict[str, str] | None = None
) -> None:
    """Raise ``code`` naming every bad parameter; a value holding a control character (U+0000
    above all) is never valid, and connector refuses them."""
    checked = [name for name, _ in checks]
    invalid = [name for name, check in checks if name in params and not check(params[name])]
    invalid += [name for name, value in params.items() if CONTROL.search(value) and name not in invalid]
    invalid.sort(key=lambda name: checked.index(name) if name in checked else len(checked))
    if invalid:
        shown = [(names or {}).get(name, name) for name in invalid]
        raise PublicApiError(
            code,
            f"Invalid parameters: {', '.join(shown)}. See Public API documentation for the correct data formats",
            status_code=422,
        )
