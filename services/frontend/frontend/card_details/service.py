"""Card details: what to show, what to send connector, and where its answer leads (fact sheet B2)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from frontend.card_details.schemas import CardForm
from frontend.connector_client import Charge, Reply


def accepted_hint_key(charge: Charge) -> str:
    types = {card_type.type for card_type in charge.gateway_account.card_types}
    if types == {"DEBIT"}:
        return "card.accepted_debit_only"
    if types == {"CREDIT"}:
        return "card.accepted_credit_only"
    return "card.accepted_both"


def accepted_brand_labels(charge: Charge) -> list[str]:
    labels: list[str] = []
    for card_type in charge.gateway_account.card_types:
        if card_type.label and card_type.label not in labels:
            labels.append(card_type.label)
    return labels


def should_patch_email(form: CardForm) -> bool:
    """MANDATORY, or OPTIONAL with an address given; and only an address that passed validation."""
    email = form.get("email")
    if form.email_mode == "OFF" or not email or "email" in form.errors:
        return False
    return form.email_mode in ("MANDATORY", "OPTIONAL")


def _client_ip(request: Request) -> str | None:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()
    return request.client.host if request.client else None


def authorisation_payload(form: CardForm, request: Request) -> dict[str, Any]:
    """The body of ``POST /v1/frontend/charges/{id}/cards``. Holds the card number: never log it."""
    card = form.card
    if card is None:
        raise ValueError("authorisation needs a validated card")
    payload: dict[str, Any] = {
        "card_number": form.card_number,
        "cvc": form.cvc,
        "card_brand": card.brand,
        "expiry_date": form.expiry_date,
        "cardholder_name": form.get("cardholderName"),
        "card_type": card.card_type,
        "corporate_card": card.corporate,
        "prepaid": card.prepaid,
        "accept_header": request.headers.get("accept", ""),
        "user_agent_header": request.headers.get("user-agent", ""),
        "ip_address": _client_ip(request),
        "accept_language_header": request.headers.get("accept-language", ""),
        "js_enabled": form.get("jsEnabled") == "true",
    }
    if form.collect_address:
        payload["address"] = {
            "line1": form.get("addressLine1"),
            "line2": form.get("addressLine2") or None,
            "city": form.get("addressCity"),
            "postcode": form.get("addressPostcode"),
            "country": form.get("addressCountry"),
        }
    return payload


def next_path_after_authorisation(reply: Reply) -> str | None:
    """Card-details-relative path to 303 to, or None for the system error page."""
    if reply.status_code == 200:
        return "/3ds_required" if reply.charge_status == "AUTHORISATION 3DS REQUIRED" else "/confirm"
    if reply.status_code in (202, 409):
        return "/auth_waiting"
    if reply.status_code in (402, 500):
        return None
    # 400 declined and the rest: back to the card page, where the state enforcer shows the outcome.
    return ""


def auth_waiting_next_path(status: str) -> str | None:
    """Where a finished authorisation sends the waiting page; None keeps waiting."""
    if status == "AUTHORISATION 3DS REQUIRED":
        return "/3ds_required"
    if status == "AUTHORISATION SUCCESS":
        return "/confirm"
    return None
