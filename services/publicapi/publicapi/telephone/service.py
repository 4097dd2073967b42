"""Telephone payment notifications (publicapi.md §a.2, §d.6, §e, §f.7)."""

from __future__ import annotations

from dataclasses import dataclass

from publicapi.connector_client.client import ConnectorClient
from publicapi.connector_client.schemas import JsonObject
from publicapi.payments.service import create_error, downstream

#: Public field ← connector ``card_details`` field.
CARD_FIELDS = (
    ("card_type", "card_brand"),
    ("name_on_card", "cardholder_name"),
    ("card_expiry", "expiry_date"),
    ("last_four_digits", "last_digits_card_number"),
    ("first_six_digits", "first_digits_card_number"),
)


def present_telephone_payment(charge: JsonObject) -> JsonObject:
    card = charge.get("card_details")
    card = card if isinstance(card, dict) else {}
    outcome = charge.get("payment_outcome")
    view: JsonObject = {
        "amount": charge.get("amount"),
        "reference": charge.get("reference"),
        "description": charge.get("description"),
        "created_date": charge.get("created_date"),
        "authorised_date": charge.get("authorised_date"),
        "processor_id": charge.get("processor_id"),
        "provider_id": charge.get("provider_id"),
        "auth_code": charge.get("auth_code"),
        "payment_outcome": (
            {key: value for key, value in outcome.items() if value is not None}
            if isinstance(outcome, dict)
            else None
        ),
    }
    for public, downstream_name in CARD_FIELDS[:3]:
        view[public] = card.get(downstream_name)
    view["email_address"] = charge.get("email")
    for public, downstream_name in CARD_FIELDS[3:]:
        view[public] = card.get(downstream_name)
    view["telephone_number"] = charge.get("telephone_number")
    view["payment_id"] = charge.get("charge_id")
    state = charge.get("state")
    view["state"] = (
        {key: value for key, value in state.items() if value is not None} if isinstance(state, dict) else None
    )
    return {key: value for key, value in view.items() if value is not None}


@dataclass(frozen=True)
class TelephonePayment:
    payment: JsonObject
    status_code: int  # connector's: 201 new, 200 already recorded


async def create_telephone_payment(
    connector: ConnectorClient, account_id: str, body: JsonObject
) -> TelephonePayment:
    async with downstream("P0198"):
        response = await connector.create_telephone_charge(account_id, body)
        if response.status_code not in (200, 201):
            raise create_error(response)
        charge = response.json_object()
    return TelephonePayment(present_telephone_payment(charge), response.status_code)
