"""Query parameters of the charge and refund searches, validated all at once.

Every bad parameter is named in one 400 answer (``Invalid parameters: a, b. See ...``),
in the fixed order of :data:`CHARGE_PARAMS`; blank values are ignored (as the public API does).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from starlette.datastructures import QueryParams

from connector.charges.state import EXTERNAL_STATES
from connector.errors import BadRequest
from pay_common.json_input import is_ascii_digits

MAX_DISPLAY_SIZE = 500
MAX_PAGE = 2**31 - 1
EXTERNAL_STATUSES = frozenset(state.status for state in EXTERNAL_STATES)

CHARGE_PARAMS = (
    "reference",
    "email",
    "state",
    # Seed 001's name for ``state``: filtered on, never ignored (an ignored filter would answer
    # every charge). Both given and different is a 400 naming ``status``.
    "status",
    "card_brand",
    "cardholder_name",
    "first_digits_card_number",
    "last_digits_card_number",
    "from_date",
    "to_date",
    "agreement_id",
    "page",
    "display_size",
)
REFUND_PARAMS = ("from_date", "to_date", "page", "display_size")
DISPUTE_PARAMS = ("from_date", "to_date", "status", "page", "display_size")
#: The public dispute statuses (publicapi.md §f.5); ``status`` of the dispute search.
DISPUTE_STATUSES = frozenset({"needs_response", "under_review", "lost", "won"})


class InvalidSearchParameters(BadRequest):
    def __init__(self, names: list[str]) -> None:
        super().__init__(
            f"Invalid parameters: {', '.join(names)}. See Public API documentation for the correct data formats"
        )


@dataclass(frozen=True)
class Paging:
    page: int = 1
    display_size: int = MAX_DISPLAY_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.display_size


@dataclass(frozen=True)
class ChargeSearch:
    reference: str | None = None
    email: str | None = None
    state: str | None = None
    card_brands: tuple[str, ...] = ()
    cardholder_name: str | None = None
    first_digits_card_number: str | None = None
    last_digits_card_number: str | None = None
    from_date: datetime | None = None
    to_date: datetime | None = None
    agreement_id: str | None = None
    paging: Paging = field(default_factory=Paging)
    #: The non-blank parameters as given, kept to rebuild the navigation links.
    given: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RefundSearch:
    from_date: datetime | None = None
    to_date: datetime | None = None
    paging: Paging = field(default_factory=Paging)
    given: tuple[tuple[str, str], ...] = ()


def parse_zoned_datetime(value: str) -> datetime | None:
    """An ISO-8601 date-time with a zone (``2015-08-13T12:35:00Z``, offsets accepted), else None."""
    if "T" not in value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _positive(value: str, maximum: int) -> int | None:
    if not is_ascii_digits(value) or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= maximum else None


def _digits(length: int) -> Callable[[str], str | None]:
    pattern = re.compile(rf"[0-9]{{{length}}}")
    return lambda value: value if pattern.fullmatch(value) else None


def _max_length(length: int) -> Callable[[str], str | None]:
    return lambda value: value if len(value) <= length else None


def _state(value: str) -> str | None:
    return value if value in EXTERNAL_STATUSES else None


_CHECKS: dict[str, Callable[[str], object | None]] = {
    "reference": _max_length(255),
    "email": _max_length(254),
    "state": _state,
    "status": _state,
    "cardholder_name": _max_length(255),
    "first_digits_card_number": _digits(6),
    "last_digits_card_number": _digits(4),
    "from_date": parse_zoned_datetime,
    "to_date": parse_zoned_datetime,
    "agreement_id": _max_length(26),
    "page": lambda value: _positive(value, MAX_PAGE),
    "display_size": lambda value: _positive(value, MAX_DISPLAY_SIZE),
}


_DISPUTE_CHECKS = {**_CHECKS, "status": lambda value: value if value in DISPUTE_STATUSES else None}


def _parse(
    params: QueryParams, names: tuple[str, ...], checks: dict[str, Callable[[str], object | None]] = _CHECKS
) -> tuple[dict[str, object], list[tuple[str, str]]]:
    """Parsed values by name and the non-blank filters as given; 400 naming every bad one."""
    values: dict[str, object] = {}
    bad: list[str] = []
    given: list[tuple[str, str]] = []
    for name in names:
        raw = [v.strip() for v in params.getlist(name) if v.strip()]
        if not raw:
            continue
        if name == "card_brand":
            brands = tuple(v.lower() for v in raw)
            if any(len(b) > 20 for b in brands):
                bad.append(name)
            values[name] = brands
            given.extend((name, v) for v in raw)
            continue
        parsed = checks[name](raw[0])
        if parsed is None:
            bad.append(name)
        values[name] = parsed
        if name not in ("page", "display_size"):
            given.append((name, raw[0]))
    if bad:
        raise InvalidSearchParameters(bad)
    return values, given


def _paging(values: dict[str, object]) -> Paging:
    page = values.get("page")
    size = values.get("display_size")
    return Paging(
        page=page if isinstance(page, int) else 1,
        display_size=size if isinstance(size, int) else MAX_DISPLAY_SIZE,
    )


def parse_charge_search(params: QueryParams) -> ChargeSearch:
    values, given = _parse(params, CHARGE_PARAMS)
    text = {k: v for k, v in values.items() if isinstance(v, str)}
    dates = {k: v for k, v in values.items() if isinstance(v, datetime)}
    brands = values.get("card_brand")
    state = text.get("state")
    if "status" in text and state not in (None, text["status"]):
        raise InvalidSearchParameters(["status"])
    return ChargeSearch(
        reference=text.get("reference"),
        email=text.get("email"),
        state=state or text.get("status"),
        card_brands=tuple(str(b) for b in brands) if isinstance(brands, tuple) else (),
        cardholder_name=text.get("cardholder_name"),
        first_digits_card_number=text.get("first_digits_card_number"),
        last_digits_card_number=text.get("last_digits_card_number"),
        from_date=dates.get("from_date"),
        to_date=dates.get("to_date"),
        agreement_id=text.get("agreement_id"),
        paging=_paging(values),
        given=tuple(given),
    )


def parse_refund_search(params: QueryParams) -> RefundSearch:
    values, given = _parse(params, REFUND_PARAMS)
    dates = {k: v for k, v in values.items() if isinstance(v, datetime)}
    return RefundSearch(
        from_date=dates.get("from_date"),
        to_date=dates.get("to_date"),
        paging=_paging(values),
        given=tuple(given),
    )


@dataclass(frozen=True)
class DisputeSearch:
    status: str | None = None
    from_date: datetime | None = None
    to_date: datetime | None = None
    paging: Paging = field(default_factory=Paging)
    given: tuple[tuple[str, str], ...] = ()


def parse_dispute_search(params: QueryParams) -> DisputeSearch:
    values, given = _parse(params, DISPUTE_PARAMS, _DISPUTE_CHECKS)
    dates = {k: v for k, v in values.items() if isinstance(v, datetime)}
    status = values.get("status")
    return DisputeSearch(
        status=status if isinstance(status, str) else None,
        from_date=dates.get("from_date"),
        to_date=dates.get("to_date"),
        paging=_paging(values),
        given=tuple(given),
    )
