"""Search results: the JSON of a page, HAL paging links, and the CSV export (seed 001).

A search result is the one charge view (``charges.service.charge_views``, connector.md §4.3)
with its self/refunds (and capture) links. It never carries ``next_url`` links: those need a
token each, and a search of 500 charges must not write 500 tokens (docs/decisions.md).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from fastapi.responses import Response
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges.state import external_state
from connector.errors import NotFound
from connector.search import repository
from connector.search.schemas import Paging

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


def page_body(
    href: str, given: Iterable[tuple[str, str]], paging: Paging, total: int, results: list[dict[str, Any]]
) -> dict[str, Any]:
    """One page of a search (charges, refunds, disputes): how many match, this page's results
    and the paging links, which repeat the filters as ``given``."""
    return {
        "total": total,
        "count": len(results),
        "page": paging.page,
        "results": results,
        "_links": paging_links(href, given, total, paging),
    }


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
