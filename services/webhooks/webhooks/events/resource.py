"""The payment as a webhook message carries it (upstream's PaymentApiRepresentation, §A3).

Built from connector's charge view at the time the event is processed. Null fields are
omitted; ``delayed_capture`` and ``moto`` are always present; no ``_links``, no
``provider_id``.
"""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]

#: External status → (finished, code, message); first match, as upstream (so a service cancel
#: also reads "Payment was cancelled by the user").
_STATES: dict[str, tuple[bool, str | None, str | None]] = {
    "created": (False, None, None),
    "started": (False, None, None),
    "submitted": (False, None, None),
    "capturable": (False, None, None),
    "success": (True, None, None),
    "declined": (True, "P0010", "Payment method rejected"),
    "timedout": (True, "P0020", "Payment expired"),
    "cancelled": (True, "P0030", "Payment was cancelled by the user"),
    "error": (True, "P0050", "Payment provider returned an error"),
}
_COPIED = (
    "amount",
    "return_url",
    "description",
    "reference",
    "email",
    "payment_provider",
    "created_date",
    "language",
)
_AMOUNTS = ("corporate_card_surcharge", "total_amount", "fee", "net_amount")
_CARD_KEYS = (
    "last_digits_card_number",
    "first_digits_card_number",
    "cardholder_name",
    "expiry_date",
    "card_type",
)
_ADDRESS_KEYS = ("line1", "line2", "postcode", "city", "country")


class UnknownPaymentState(ValueError):
    """The charge has a status no message can describe: the event is refused, to be retried."""


def _without_nulls(values: JsonObject) -> JsonObject:
    return {key: value for key, value in values.items() if value is not None}


#: Connector's v1 ``failed`` state, by code, as the ledger status upstream's mapping reads.
_FAILED_BY_CODE = {"P0010": "declined", "P0020": "timedout", "P0030": "cancelled"}


def _ledger_status(state: JsonObject) -> str:
    """Connector shows a declined payment as ``failed``/P0010; the message (from ledger's
    status, §A3) says ``declined`` (likewise ``timedout`` and ``cancelled``)."""
    status = str(state.get("status", ""))
    if status == "failed":
        return _FAILED_BY_CODE.get(str(state.get("code")), status)
    return status


def _state(charge: JsonObject) -> JsonObject:
    status = _ledger_status(charge.get("state") or {})
    if status not in _STATES:
        raise UnknownPaymentState(status)
    finished, code, message = _STATES[status]
    return _without_nulls({"status": status, "finished": finished, "message": message, "code": code})


def _card_details(charge: JsonObject) -> JsonObject | None:
    details = charge.get("card_details")
    if not isinstance(details, dict):
        return None
    card = {key: details.get(key) for key in _CARD_KEYS}
    address = details.get("billing_address")
    if isinstance(address, dict):
        card["billing_address"] = _without_nulls({key: address.get(key) for key in _ADDRESS_KEYS})
    card["card_brand"] = details.get("card_brand") or ""
    return _without_nulls(card)


def _summary(charge: JsonObject, name: str, keys: tuple[str, ...]) -> JsonObject | None:
    summary = charge.get(name)
    if not isinstance(summary, dict):
        return None
    return _without_nulls({key: summary.get(key) for key in keys}) or None


def _authorisation_summary(charge: JsonObject) -> JsonObject | None:
    summary = charge.get("authorisation_summary")
    if not isinstance(summary, dict) or not isinstance(summary.get("three_d_secure"), dict):
        return None
    return {"three_d_secure": {"required": summary["three_d_secure"].get("required")}}


def payment_resource(charge: JsonObject) -> JsonObject:
    """The message's ``resource`` from connector's charge JSON."""
    resource: JsonObject = {"payment_id": charge.get("charge_id")}
    resource.update({key: charge.get(key) for key in _COPIED})
    resource["state"] = _state(charge)
    resource["delayed_capture"] = bool(charge.get("delayed_capture", False))
    resource["moto"] = bool(charge.get("moto", False))
    resource["refund_summary"] = _summary(
        charge, "refund_summary", ("status", "amount_available", "amount_submitted")
    )
    resource["settlement_summary"] = _summary(
        charge, "settlement_summary", ("capture_submit_time", "captured_date")
    )
    resource["card_details"] = _card_details(charge)
    resource.update({key: charge.get(key) for key in _AMOUNTS})
    resource["metadata"] = charge.get("metadata") or None
    resource["authorisation_summary"] = _authorisation_summary(charge)
    return _without_nulls(resource)
