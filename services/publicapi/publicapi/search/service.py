"""Payment, refund and dispute search through connector's search endpoints (publicapi.md §d.7, §f.4).

The original searched Ledger; here connector holds every payment, so the public API calls
``GET /v1/api/accounts/{id}/charges`` and ``.../refunds``. Navigation links are built here
from the public parameters, so they always point at the public API.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from publicapi.connector_client.client import ConnectorClient
from publicapi.connector_client.schemas import ConnectorResponse, JsonObject
from publicapi.errors import PAGE_NOT_FOUND, PublicApiError, downstream_error
from publicapi.payments.presenter import get_link, present_payment
from publicapi.payments.service import downstream
from publicapi.refunds.service import refund_url
from publicapi.search.schemas import (
    DEFAULT_DISPLAY_SIZE,
    DISPUTE_CHECKS,
    DISPUTE_ERROR_NAMES,
    MAX_DISPLAY_SIZE,
    PAYMENT_CHECKS,
    REFUND_CHECKS,
    Params,
    validate,
)

#: Payment filters passed to connector as they are (card_brand is lower-cased first).
PAYMENT_FILTERS = (
    "reference",
    "email",
    "state",
    "card_brand",
    "cardholder_name",
    "first_digits_card_number",
    "last_digits_card_number",
    "from_date",
    "to_date",
    "agreement_id",
)
REFUND_FILTERS = ("from_date", "to_date")
DISPUTE_FILTERS = ("from_date", "to_date", "status")
SETTLED_FILTERS = ("from_settled_date", "to_settled_date")
#: Unvalidated filters (as in the original) longer than any stored value: nothing can match,
#: and connector refuses them, so the answer is an empty page without asking it.
UNMATCHABLE_LENGTHS = {"cardholder_name": 255, "agreement_id": 26}
#: How many full connector pages an exact-reference search reads at most (10,000 payments).
MAX_SCAN_PAGES = 20


def _paging(params: Params) -> tuple[int, int]:
    return int(params.get("page", "1")), int(params.get("display_size", str(DEFAULT_DISPLAY_SIZE)))


def _last_page(total: int, display_size: int) -> int:
    return max(1, math.ceil(total / display_size))


def navigation_links(
    base_url: str, path: str, params: Params, *, page: int, display_size: int, total: int
) -> JsonObject:
    """self / first / last / prev / next, each ``{href}``; missing ones are left out."""
    last = _last_page(total, display_size)
    filters = {name: value for name, value in params.items() if name not in ("page", "display_size")}

    def href(target: int) -> dict[str, str]:
        query = urlencode({**filters, "display_size": str(display_size), "page": str(target)})
        return {"href": f"{base_url}{path}?{query}"}

    links: JsonObject = {"self": href(page), "first_page": href(1), "last_page": href(last)}
    if page > 1:
        links["prev_page"] = href(page - 1)
    if page < last:
        links["next_page"] = href(page + 1)
    return links


def _results(response: ConnectorResponse) -> tuple[int, list[JsonObject]]:
    body = response.json_object()
    raw = body.get("results")
    items = [item for item in raw if isinstance(item, dict)] if isinstance(raw, list) else []
    total = body.get("total")
    return (total if isinstance(total, int) else len(items)), items


def _page(results: list[JsonObject], *, total: int, page: int, links: JsonObject) -> JsonObject:
    return {"total": total, "count": len(results), "page": page, "results": results, "_links": links}


async def _search(
    call: ConnectorResponse, *, not_found_code: str, error_code: str
) -> tuple[int, list[JsonObject]]:
    if call.status_code == 404:
        raise PublicApiError(not_found_code, PAGE_NOT_FOUND, status_code=404)
    if call.status_code != 200:
        raise downstream_error(error_code)
    return _results(call)


def _unmatchable(params: Params) -> bool:
    return any(len(params.get(name, "")) > limit for name, limit in UNMATCHABLE_LENGTHS.items())


async def _connector_page(
    connector: ConnectorClient, account_id: str, params: Params
) -> tuple[int, list[JsonObject]]:
    async with downstream("P0498"):
        response = await connector.search_charges(account_id, params)
        return await _search(response, not_found_code="P0402", error_code="P0498")


async def _exact_reference_matches(
    connector: ConnectorClient, account_id: str, params: Params, reference: str
) -> list[JsonObject]:
    """Every payment whose reference equals ``reference`` (ignoring case), newest first.

    Connector matches references partially; the public search matches them exactly. The
    partial matches are read page by page (at most ``MAX_SCAN_PAGES`` full pages) and
    filtered here, so that total, count and paging describe exact matches only.
    """
    wanted = reference.lower()
    matches: list[JsonObject] = []
    for page in range(1, MAX_SCAN_PAGES + 1):
        scan = {**params, "page": str(page), "display_size": str(MAX_DISPLAY_SIZE)}
        total, items = await _connector_page(connector, account_id, scan)
        matches.extend(item for item in items if str(item.get("reference", "")).lower() == wanted)
        if page * MAX_DISPLAY_SIZE >= total:
            break
    return matches


async def search_payments(
    connector: ConnectorClient, account_id: str, params: Params, *, base_url: str
) -> JsonObject:
    validate(params, PAYMENT_CHECKS, "P0401")
    page, display_size = _paging(params)
    items: list[JsonObject]
    if any(name in params for name in SETTLED_FILTERS) or _unmatchable(params):
        # Nothing is ever settled here (no payouts yet): a settled-date filter matches nothing.
        total, items = 0, []
    else:
        downstream_params = {name: params[name] for name in PAYMENT_FILTERS if name in params}
        if "card_brand" in downstream_params:
            downstream_params["card_brand"] = downstream_params["card_brand"].lower()
        if "reference" in downstream_params:
            matches = await _exact_reference_matches(
                connector, account_id, downstream_params, downstream_params["reference"]
            )
            start = (page - 1) * display_size
            total, items = len(matches), matches[start : start + display_size]
        else:
            downstream_params.update(page=str(page), display_size=str(display_size))
            total, items = await _connector_page(connector, account_id, downstream_params)
    if page > _last_page(total, display_size):
        raise PublicApiError("P0402", PAGE_NOT_FOUND, status_code=404)
    results = [present_payment(item, base_url, for_search=True) for item in items]
    links = navigation_links(
        base_url, "/v1/payments", params, page=page, display_size=display_size, total=total
    )
    return _page(results, total=total, page=page, links=links)


def present_search_refund(refund: JsonObject, base_url: str) -> JsonObject:
    payment_id = str(refund.get("payment_id") or refund.get("charge_id"))
    refund_id = str(refund.get("refund_id"))
    settlement = refund.get("settlement_summary")
    return {
        "refund_id": refund_id,
        "created_date": refund.get("created_date"),
        "payment_id": payment_id,
        "amount": refund.get("amount"),
        "status": refund.get("status"),
        "settlement_summary": settlement if isinstance(settlement, dict) else {},
        "_links": {
            "self": get_link(refund_url(base_url, payment_id, refund_id)),
            "payment": get_link(f"{base_url}/v1/payments/{payment_id}"),
        },
    }


@dataclass(frozen=True)
class _SettledSearch:
    """A search whose settled-date filters match nothing, and its public path and error codes."""

    path: str
    filters: tuple[str, ...]
    not_found_code: str
    error_code: str


REFUND_SEARCH = _SettledSearch("/v1/refunds", REFUND_FILTERS, not_found_code="P1100", error_code="P1898")
DISPUTE_SEARCH = _SettledSearch("/v1/disputes", DISPUTE_FILTERS, not_found_code="P0402", error_code="P0498")


async def _settled_search_page(
    params: Params,
    search: _SettledSearch,
    fetch: Callable[[dict[str, str]], Awaitable[ConnectorResponse]],
    present: Callable[[JsonObject, str], JsonObject],
    base_url: str,
) -> tuple[list[JsonObject], int, int, JsonObject]:
    """The presented results, total, page and navigation links of a refund or dispute search.

    A settled-date filter matches nothing: nothing is settled at a payout here yet (only a lost
    dispute ever is). A page past the last raises the search's not-found code.
    """
    page, display_size = _paging(params)
    items: list[JsonObject]
    if any(name in params for name in SETTLED_FILTERS):
        total, items = 0, []
    else:
        downstream_params = {name: params[name] for name in search.filters if name in params}
        downstream_params.update(page=str(page), display_size=str(display_size))
        async with downstream(search.error_code):
            response = await fetch(downstream_params)
            total, items = await _search(
                response, not_found_code=search.not_found_code, error_code=search.error_code
            )
    if page > _last_page(total, display_size):
        raise PublicApiError(search.not_found_code, PAGE_NOT_FOUND, status_code=404)
    results = [present(item, base_url) for item in items]
    links = navigation_links(base_url, search.path, params, page=page, display_size=display_size, total=total)
    return results, total, page, links


async def search_refunds(
    connector: ConnectorClient, account_id: str, params: Params, *, base_url: str
) -> JsonObject:
    validate(params, REFUND_CHECKS, "P1101")
    fetch = partial(connector.search_refunds, account_id)
    results, total, page, links = await _settled_search_page(
        params, REFUND_SEARCH, fetch, present_search_refund, base_url
    )
    return _page(results, total=total, page=page, links=links)


def present_dispute(dispute: JsonObject, base_url: str) -> JsonObject:
    """Connector's dispute with the payment link the public API adds (publicapi.md §f.5)."""
    payment_id = str(dispute.get("payment_id"))
    link = {"href": f"{base_url}/v1/payments/{payment_id}", "method": "GET"}
    return {**dispute, "_links": {"payment": link}}


async def search_disputes(
    connector: ConnectorClient, account_id: str, params: Params, *, base_url: str
) -> JsonObject:
    """``GET /v1/disputes``. As upstream, the page's links are under ``links`` (no underscore)."""
    validate(params, DISPUTE_CHECKS, "P0401", DISPUTE_ERROR_NAMES)
    fetch = partial(connector.search_disputes, account_id)
    results, total, page, links = await _settled_search_page(
        params, DISPUTE_SEARCH, fetch, present_dispute, base_url
    )
    return {"total": total, "count": len(results), "page": page, "results": results, "links": links}
