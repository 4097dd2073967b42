"""Search results: the charge JSON of a page, HAL paging links, and the CSV export (seed 001).

A search result is the single-charge view (connector.md §4.3) with its self/refunds (and
capture) links. It never carries ``next_url`` links: those mint a token per build, and a
search of 500 charges must not write 500 tokens (docs/decisions.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import AsyncIterator, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi.responses import Response
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges.schemas import AuthorisationMode
from connector.charges.service import format_instant, status_state
from connector.charges.service import refund_summary_of as summary_of
from connector.charges.state import ChargeStatus, external_state
from connector.errors import NotFound
from connector.search import repository
from connector.search.schemas import Paging

#: A row of ``repository.VIEW_COLUMNS``, possibly followed by more columns: read by position.
ChargeRow = Any

CSV_HEADER = (
    "Service Payment Reference",
    "Amount",
    "Status",
    "Gateway Transaction ID",
    "GOV.UK Pay ID",
    "Date Created",
)

#: The CSV ``Status`` column uses the labels of the original export (seed 001: ``IN PROGRESS``).
CSV_STATUS = {
    "created": "CREATED",
    "started": "IN PROGRESS",
    "submitted": "IN PROGRESS",
    "capturable": "IN PROGRESS",
    "success": "SUCCEEDED",
    "failed": "FAILED",
    "cancelled": "CANCELLED",
    "error": "ERROR",
}


_EXEMPTION_OUTCOMES = {"HONOURED": "honoured", "REJECTED": "rejected", "OUT_OF_SCOPE": "out of scope"}


def exemption_view(requested: str | None, outcome: str | None) -> dict[str, Any] | None:
    """``exemption`` as the single-charge view shows it (connector.md §4.3)."""
    if requested is None and outcome is None:
        return None
    if outcome == "EXEMPTION_NOT_REQUESTED":
        return {"requested": False}
    view: dict[str, Any] = {"requested": True}
    if requested == "CORPORATE":
        view["type"] = "corporate"
    if outcome in _EXEMPTION_OUTCOMES:
        view["outcome"] = {"result": _EXEMPTION_OUTCOMES[outcome]}
    return view


def _instant(moment: datetime) -> str:
    """``format_instant`` through ``isoformat`` (a C call), the same text for four-digit years."""
    utc = moment.astimezone(UTC)
    if utc.year < 1000:  # strftime's %Y does not pad; keep the exact single-charge text
        return format_instant(moment)
    return utc.isoformat(timespec="milliseconds")[:23] + "Z"


class _StatusParts:
    """What a page's views derive from the status alone, computed once per status per page."""

    __slots__ = ("state", "succeeded", "capturable")

    def __init__(self, status: str) -> None:
        self.state = status_state(status)
        self.succeeded = external_state(status).status == "success"
        self.capturable = status == ChargeStatus.AWAITING_CAPTURE_REQUEST


#: The order ``charge_view`` unpacks a row in: ``repository.VIEW_COLUMNS`` must list the same.
VIEW_NAMES = (
    "id",
    "external_id",
    "gateway_account_id",
    "amount",
    "status",
    "description",
    "reference",
    "gateway_transaction_id",
    "payment_provider",
    "created_date",
    "return_url",
    "email",
    "language",
    "delayed_capture",
    "moto",
    "authorisation_mode",
    "corporate_surcharge",
    "card_brand",
    "card_type",
    "last_digits_card_number",
    "first_digits_card_number",
    "cardholder_name",
    "expiry_date",
    "address_line1",
    "address_line2",
    "address_postcode",
    "address_city",
    "address_county",
    "address_country",
    "requires_3ds",
    "version_3ds",
    "wallet",
    "external_metadata",
    "agreement_external_id",
    "agreement_payment_type",
    "can_retry",
    "pa_request_3ds",
    "issuer_url_3ds",
    "exemption_3ds_requested",
    "exemption_3ds",
)
if tuple(column.key for column in repository.VIEW_COLUMNS) != VIEW_NAMES:
    raise RuntimeError("search.service.VIEW_NAMES must follow repository.VIEW_COLUMNS")


def charge_view(
    row: ChargeRow,
    *,
    base_url: str,
    submitted: int,
    settlement: dict[str, datetime],
    labels: dict[str, str],
    fee: int | None = None,
    parts: dict[str, _StatusParts] | None = None,
) -> dict[str, Any]:
    """The API view of connector.md §4.3, member for member and in the same order as
    ``build_charge_response`` builds it (tests/connector/search compares the two), from a row
    of ``repository.VIEW_COLUMNS`` and batch-loaded parts.

    A page builds 500 of these, so this is written for speed (docs/benchmarks.md "Search"): the
    row is unpacked once (a named attribute of a SQLAlchemy row costs as much as building the
    member), members are added only when not null instead of built then filtered, and
    status-derived parts are shared through ``parts`` (the cached ``state`` dict is shared
    read-only between rows: it is serialised, never mutated; ``can_retry`` gets its own copy).
    """
    (
        _id,
        external_id,
        account_id,
        amount,
        status,
        description,
        reference,
        gateway_transaction_id,
        payment_provider,
        created_date,
        return_url,
        email,
        language,
        delayed_capture,
        moto,
        authorisation_mode,
        surcharge,
        card_brand,
        card_type,
        last_digits,
        first_digits,
        cardholder_name,
        expiry_date,
        line1,
        line2,
        postcode,
        city,
        county,
        country,
        requires_3ds,
        version_3ds,
        wallet,
        external_metadata,
        agreement_id,
        agreement_payment_type,
        can_retry,
        pa_request,
        issuer_url,
        exemption_requested,
        exemption_outcome,
        *_,  # what a query adds after VIEW_COLUMNS (the partial-match search: its total)
    ) = row
    if parts is None:
        parts = {}
    part = parts.get(status)
    if part is None:
        part = parts[status] = _StatusParts(status)
    mode = authorisation_mode.lower()
    state = part.state
    if can_retry is not None and mode == AuthorisationMode.AGREEMENT:
        state = {**state, "can_retry": can_retry}
    body: dict[str, Any] = {
        "charge_id": external_id,
        "gateway_account_id": str(account_id),
        "amount": amount,
        "state": state,
    }
    if description is not None:
        body["description"] = description
    if reference is not None:
        body["reference"] = reference
    if language is not None:
        body["language"] = language
    if gateway_transaction_id is not None:
        body["gateway_transaction_id"] = gateway_transaction_id
    if return_url is not None:
        body["return_url"] = return_url
    if email is not None:
        body["email"] = email
    if payment_provider is not None:
        body["payment_provider"] = payment_provider
    body["created_date"] = _instant(created_date)
    if delayed_capture is not None:
        body["delayed_capture"] = delayed_capture
    if moto is not None:
        body["moto"] = moto
    body["authorisation_mode"] = mode
    # card_details as card_details_view builds it: members in this order, nulls left out.
    card: dict[str, Any] = {}
    if last_digits is not None:
        card["last_digits_card_number"] = last_digits
    if first_digits is not None:
        card["first_digits_card_number"] = first_digits
    if cardholder_name is not None:
        card["cardholder_name"] = cardholder_name
    if expiry_date is not None:
        card["expiry_date"] = expiry_date
    address = {
        name: value
        for name, value in (
            ("line1", line1),
            ("line2", line2),
            ("postcode", postcode),
            ("city", city),
            ("county", county),
            ("country", country),
        )
        if value is not None
    }
    if address:
        card["billing_address"] = address
    if card_type:
        card["card_type"] = card_type.lower()
    if card_brand is not None:
        # The label ("Visa"), "" for a brand the card_types table does not know.
        card["card_brand"] = (labels.get(card_brand) if card_brand else None) or ""
    if card:
        body["card_details"] = card
    if card_brand is not None:
        body["card_brand"] = card["card_brand"]
    if pa_request is not None or issuer_url is not None:
        body["auth_3ds_data"] = {"paRequest": pa_request, "issuerUrl": issuer_url}
    if surcharge:
        body["corporate_card_surcharge"] = surcharge
        body["total_amount"] = amount + surcharge
    if wallet is not None:
        body["wallet_type"] = wallet
    if external_metadata:
        body["metadata"] = external_metadata
    if agreement_id is not None:
        body["agreement_id"] = agreement_id
    if agreement_payment_type is not None:
        body["agreement_payment_type"] = agreement_payment_type
    body["refund_summary"] = summary_of(status, amount, surcharge, submitted)
    if settlement:
        submit_time, captured = settlement.get("capture_submit_time"), settlement.get("captured_date")
        body["settlement_summary"] = {
            "capture_submit_time": format_instant(submit_time) if submit_time else None,
            "captured_date": captured.astimezone(UTC).date().isoformat() if captured else None,
        }
    else:
        body["settlement_summary"] = {"capture_submit_time": None, "captured_date": None}
    if fee is not None:
        body["fee"] = fee
        body["net_amount"] = amount + (surcharge or 0) - fee if part.succeeded else -fee
    if requires_3ds:
        required: dict[str, Any] = {"required": True}
        if version_3ds:
            required["version"] = version_3ds
        body["authorisation_summary"] = {"three_d_secure": required}
    if exemption_requested is not None or exemption_outcome is not None:
        body["exemption"] = exemption_view(exemption_requested, exemption_outcome)
    self_href = f"{base_url}/v1/api/accounts/{account_id}/charges/{external_id}"
    links = [
        {"rel": "self", "method": "GET", "href": self_href},
        {"rel": "refunds", "method": "GET", "href": self_href + "/refunds"},
    ]
    if part.capturable:
        links.append({"rel": "capture", "method": "POST", "href": self_href + "/capture"})
    body["links"] = links
    return body


async def charge_views(
    session: AsyncSession, charges: Sequence[ChargeRow], base_url: str
) -> list[dict[str, Any]]:
    """The views of one page, refund sums, settlement events and fees each loaded in one query."""
    ids = [charge.id for charge in charges]
    external_ids = [charge.external_id for charge in charges]
    submitted = await repository.submitted_by_charge(session, external_ids)
    settlement = await repository.settlement_events(session, ids)
    fees = await repository.fees_by_charge(session, ids)
    labels = await repository.card_labels(session) if any(c.card_brand for c in charges) else {}
    parts: dict[str, _StatusParts] = {}
    no_events: dict[str, datetime] = {}
    return [
        charge_view(
            charge,
            base_url=base_url,
            submitted=submitted.get(external_id, 0),
            settlement=settlement.get(charge_id, no_events),
            labels=labels,
            fee=fees.get(charge_id),
            parts=parts,
        )
        for charge, charge_id, external_id in zip(charges, ids, external_ids, strict=True)
    ]


def json_response(body: dict[str, Any]) -> Response:
    """A page of 500 views as JSON bytes, rendered by orjson: 5 ms of ``json.dumps`` per page
    became well under 1 ms (docs/benchmarks.md "Search"). orjson refuses integers beyond
    64 bits, which a charge's metadata may hold (the API accepts any JSON number); such a page
    is rendered by the standard library instead, to the same JSON."""
    try:
        content = orjson.dumps(body)
    except orjson.JSONEncodeError:
        content = json.dumps(
            body, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        ).encode("utf-8")
    return Response(content, media_type="application/json")


def last_page(total: int, paging: Paging) -> int:
    return max(1, math.ceil(total / paging.display_size))


def check_page_exists(total: int, paging: Paging) -> None:
    if paging.page > last_page(total, paging):
        raise NotFound("the requested page not found")


def paging_links(href: str, given: Iterable[tuple[str, str]], total: int, paging: Paging) -> dict[str, Any]:
    """``self``, ``first_page``, ``last_page`` and, where they exist, ``prev_page`` and ``next_page``."""
    filters = list(given)

    def link(page: int) -> dict[str, str]:
        query = urlencode([*filters, ("page", str(page)), ("display_size", str(paging.display_size))])
        return {"href": f"{href}?{query}"}

    last = last_page(total, paging)
    links = {"self": link(paging.page), "first_page": link(1), "last_page": link(last)}
    if paging.page > 1:
        links["prev_page"] = link(paging.page - 1)
    if paging.page < last:
        links["next_page"] = link(paging.page + 1)
    return links


def pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    whole, part = divmod(abs(pence), 100)
    return f"{sign}{whole}.{part:02d}"


def csv_line(row: tuple[str, int, str, str | None, str, datetime]) -> list[str]:
    reference, amount, status, gateway_transaction_id, external_id, created = row
    return [
        reference,
        pounds(amount),
        CSV_STATUS[external_state(status).status],
        gateway_transaction_id or "",
        external_id,
        created.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S"),
    ]


async def csv_export(
    sessionmaker: async_sessionmaker[AsyncSession], conditions: list[ColumnElement[bool]]
) -> AsyncIterator[str]:
    """The header, then one chunk per fetched batch; runs in a session of its own while streaming."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    yield buffer.getvalue()
    async with sessionmaker() as session:
        async for batch in repository.stream_csv_rows(session, conditions):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows(csv_line(row) for row in batch)
            yield buffer.getvalue()
