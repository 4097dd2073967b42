"""Connector charge JSON → the public payment (publicapi.md §f.1, §f.2).

Every public link points at the public API's own base URL; only ``next_url`` and
``next_url_post`` (the payment pages) are copied unchanged from connector.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from publicapi.connector_client.schemas import JsonObject

WALLET_TYPES = {"APPLE_PAY": "Apple Pay", "GOOGLE_PAY": "Google Pay"}
CARD_DETAIL_KEYS = (
    "last_digits_card_number",
    "first_digits_card_number",
    "cardholder_name",
    "expiry_date",
    "billing_address",
    "card_brand",
    "card_type",
    "wallet_type",
)
ADDRESS_KEYS = ("line1", "line2", "postcode", "city", "country")
SETTLEMENT_KEYS = ("capture_submit_time", "captured_date", "settled_date")
REFUND_SUMMARY_KEYS = ("status", "amount_available", "amount_submitted")
#: Plain fields copied when present, in the order the original writes them.
COPIED_FIELDS = (
    "amount",
    "description",
    "reference",
    "language",
    "email",
    "return_url",
    "payment_provider",
    "created_date",
)
OPTIONAL_AMOUNTS = ("corporate_card_surcharge", "total_amount", "fee", "net_amount")


async def base_url_of(request: Request) -> str:
    """The public API's own base URL (setting ``base_url``), without a trailing slash.

    ``async`` so FastAPI calls it inline instead of in a worker thread.
    """
    return str(request.app.state.settings.base_url).rstrip("/")


BaseUrlDep = Annotated[str, Depends(base_url_of)]


def get_link(href: str) -> dict[str, str]:
    return {"href": href, "method": "GET"}


def post_link(href: str) -> dict[str, str]:
    return {"href": href, "method": "POST"}


def payment_url(base_url: str, payment_id: str) -> str:
    return f"{base_url}/v1/payments/{payment_id}"


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == {} or value == []


def connector_links(charge: JsonObject) -> dict[str, JsonObject]:
    """Connector's ``links`` list (``[{rel, href, method, ...}]``) keyed by rel."""
    links = charge.get("links")
    if not isinstance(links, list):
        return {}
    return {
        link["rel"]: link for link in links if isinstance(link, dict) and isinstance(link.get("rel"), str)
    }


def _card_details(charge: JsonObject) -> JsonObject | None:
    details = charge.get("card_details")
    wallet = WALLET_TYPES.get(str(charge.get("wallet_type") or ""))
    if not isinstance(details, dict):
        if wallet is None:
            return None
        details = {}
    result: JsonObject = {key: details.get(key) for key in CARD_DETAIL_KEYS}
    address = details.get("billing_address")
    if isinstance(address, dict):
        result["billing_address"] = {
            key: address[key] for key in ADDRESS_KEYS if address.get(key) is not None
        }
    else:
        result["billing_address"] = None
    result["wallet_type"] = wallet
    return result


def _state(charge: JsonObject) -> JsonObject | None:
    state = charge.get("state")
    if not isinstance(state, dict):
        return None
    return {key: value for key, value in state.items() if value is not None}


def _exemption(charge: JsonObject, *, for_search: bool) -> JsonObject | None:
    exemption = charge.get("exemption")
    if not isinstance(exemption, dict):
        return None
    if for_search:
        return exemption
    # Get-payment shows only an honoured/rejected corporate exemption (publicapi.md §f.1).
    if exemption.get("type") != "corporate" or not isinstance(exemption.get("outcome"), dict):
        return None
    return {"requested": exemption.get("requested"), "type": "corporate", "outcome": exemption["outcome"]}


def _three_ds_required(charge: JsonObject) -> bool:
    summary = charge.get("authorisation_summary")
    if not isinstance(summary, dict):
        return False
    three_d_secure = summary.get("three_d_secure")
    return isinstance(three_d_secure, dict) and three_d_secure.get("required") is True


def payment_links(charge: JsonObject, base_url: str, *, for_search: bool) -> JsonObject:
    payment_id = str(charge["charge_id"])
    self_url = payment_url(base_url, payment_id)
    downstream = connector_links(charge)
    links: JsonObject = {"self": get_link(self_url)}
    if not for_search:
        next_url = downstream.get("next_url")
        next_url_post = downstream.get("next_url_post")
        if next_url is not None:
            links["next_url"] = get_link(str(next_url.get("href")))
        if next_url_post is not None:
            links["next_url_post"] = {
                "href": next_url_post.get("href"),
                "method": "POST",
                "type": next_url_post.get("type", "application/x-www-form-urlencoded"),
                "params": next_url_post.get("params", {}),
            }
        auth = downstream.get("auth_url_post")
        if auth is not None:
            links["auth_url_post"] = {
                "href": f"{base_url}/v1/auth",
                "method": "POST",
                "type": "application/json",
                "params": auth.get("params", {}),
            }
    links["events"] = get_link(f"{self_url}/events")
    links["refunds"] = get_link(f"{self_url}/refunds")
    state = charge.get("state")
    finished = isinstance(state, dict) and state.get("finished") is True
    if not finished and charge.get("authorisation_mode") != "agreement":
        links["cancel"] = post_link(f"{self_url}/cancel")
    if "capture" in downstream:
        links["capture"] = post_link(f"{self_url}/capture")
    return links


def present_payment(charge: JsonObject, base_url: str, *, for_search: bool = False) -> JsonObject:
    """The public payment; empty values are left out, as the original's ``NON_EMPTY``."""
    payment: JsonObject = {"payment_id": charge.get("charge_id")}
    for key in COPIED_FIELDS:
        payment[key] = charge.get(key)
    payment["state"] = _state(charge)
    refund_summary = charge.get("refund_summary")
    if isinstance(refund_summary, dict):
        payment["refund_summary"] = {key: refund_summary.get(key) for key in REFUND_SUMMARY_KEYS}
    settlement = charge.get("settlement_summary")
    settlement = settlement if isinstance(settlement, dict) else {}
    payment["settlement_summary"] = {
        key: settlement[key] for key in SETTLEMENT_KEYS if settlement.get(key) is not None
    }
    card_details = _card_details(charge)
    payment["card_details"] = card_details
    payment["card_brand"] = card_details.get("card_brand") if card_details else None
    payment["delayed_capture"] = bool(charge.get("delayed_capture", False))
    payment["moto"] = bool(charge.get("moto", False))
    for key in OPTIONAL_AMOUNTS:
        payment[key] = charge.get(key)
    payment["provider_id"] = charge.get("gateway_transaction_id")
    payment["metadata"] = charge.get("metadata")
    if _three_ds_required(charge):
        payment["authorisation_summary"] = {"three_d_secure": {"required": True}}
    if not for_search:
        payment["agreement_id"] = charge.get("agreement_id")
    payment["authorisation_mode"] = charge.get("authorisation_mode")
    payment["agreement_payment_type"] = charge.get("agreement_payment_type")
    payment["exemption"] = _exemption(charge, for_search=for_search)
    payment["_links"] = payment_links(charge, base_url, for_search=for_search)
    # settlement_summary is an object in the original, so it stays even when empty.
    return {
        key: value for key, value in payment.items() if key == "settlement_summary" or not _is_empty(value)
    }


def present_events(events: JsonObject, payment_id: str, base_url: str) -> JsonObject:
    """``{payment_id, events: [...], _links: {self}}`` (publicapi.md §f.2)."""
    self_url = payment_url(base_url, payment_id)
    raw_events = events.get("events")
    items = raw_events if isinstance(raw_events, list) else []
    return {
        "payment_id": payment_id,
        "events": [
            {
                "payment_id": payment_id,
                "state": _state(event) if isinstance(event, dict) else None,
                "updated": event.get("updated") if isinstance(event, dict) else None,
                "_links": {"payment_url": get_link(self_url)},
            }
            for event in items
        ],
        "_links": {"self": get_link(f"{self_url}/events")},
    }
