"""Request and response shapes of the agreement endpoints (connector.md §11.1)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from connector.models import Agreement, PaymentInstrument


def format_instant(moment: datetime) -> str:
    """UTC with milliseconds, as the charges' dates (charges' formatter would import a cycle)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AgreementCreateRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reference: StrictStr = Field(min_length=1, max_length=255)
    description: StrictStr = Field(min_length=1, max_length=255)
    user_identifier: StrictStr | None = Field(default=None, max_length=255)


class AgreementCancelRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    user_external_id: StrictStr | None = None
    user_email: StrictStr | None = None


def created_view(agreement: Agreement) -> dict[str, Any]:
    """The 201 body of ``POST .../agreements``."""
    return {
        "agreement_id": agreement.external_id,
        "created_date": format_instant(agreement.created_date),
        "reference": agreement.reference,
        "description": agreement.description,
        "user_identifier": agreement.user_identifier,
        "service_id": agreement.service_id,
        "live": agreement.live,
    }


def _card_details(instrument: PaymentInstrument) -> dict[str, Any]:
    address = instrument.billing_address
    return {
        "last_digits_card_number": instrument.last_digits_card_number,
        "first_digits_card_number": instrument.first_digits_card_number,
        "cardholder_name": instrument.cardholder_name,
        "expiry_date": instrument.expiry_date,
        "billing_address": address,
        "card_brand": instrument.card_brand,
        "card_type": instrument.card_type.lower() if instrument.card_type else None,
    }


def agreement_view(agreement: Agreement, instrument: PaymentInstrument | None) -> dict[str, Any]:
    """The internal read (the shape ledger gives publicapi): statuses stay upper case here."""
    body = created_view(agreement)
    body["status"] = agreement.status
    if agreement.cancelled_date is not None:
        body["cancelled_date"] = format_instant(agreement.cancelled_date)
    if instrument is not None:
        body["payment_instrument"] = {
            "external_id": instrument.external_id,
            "status": instrument.status,
            "type": "CARD",
            "created_date": format_instant(instrument.created_date),
            "card_details": _card_details(instrument),
        }
    return body
