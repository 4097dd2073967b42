"""What a dispute is to the platform: the public statuses, the dispute id, and the search view.

Stripe's dispute statuses (``warning_*`` for inquiries, ``charge_refunded``) map onto the four
the public API documents (publicapi.md §f.5). The dispute id is derived from the provider's id
as upstream does (connector.md §5.1: the name-based UUID of the Stripe id, dashes removed,
first 26 characters), so the same provider dispute always has the same public id.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from connector.charges.service import format_instant
from connector.models import Dispute

NEEDS_RESPONSE = "needs_response"
UNDER_REVIEW = "under_review"
WON = "won"
LOST = "lost"

#: Provider status → public status.
PUBLIC_STATUS: dict[str, str] = {
    "needs_response": NEEDS_RESPONSE,
    "warning_needs_response": NEEDS_RESPONSE,
    "under_review": UNDER_REVIEW,
    "warning_under_review": UNDER_REVIEW,
    "won": WON,
    "warning_closed": WON,
    "charge_refunded": WON,
    "lost": LOST,
}
PUBLIC_STATUSES = (NEEDS_RESPONSE, UNDER_REVIEW, LOST, WON)


def provider_statuses(public_status: str) -> list[str]:
    """The stored statuses a public status filter matches."""
    return [stored for stored, public in PUBLIC_STATUS.items() if public == public_status]


def dispute_external_id(gateway_dispute_id: str) -> str:
    """Java's ``UUID.nameUUIDFromBytes`` (MD5, version 3) of the provider id, hex, first 26."""
    digest = hashlib.md5(gateway_dispute_id.encode("utf-8"), usedforsecurity=False).digest()
    return uuid.UUID(bytes=digest, version=3).hex[:26]


@dataclass(frozen=True)
class DisputeRecord:
    """A dispute as a provider (or the sandbox) reports it; ``payload`` is kept as received (the
    fee is read from it: Stripe's balance transactions, the sandbox's ``fee``)."""

    gateway_dispute_id: str
    charge_id: int | None
    payment_intent_id: str | None
    amount: int | None
    reason: str | None
    status: str
    evidence_due_date: datetime | None
    event_type: str
    payload: dict[str, Any]


def _fee(payload: dict[str, Any]) -> int | None:
    """The provider's dispute fee in pence (Stripe: the dispute's balance transactions' fees)."""
    if isinstance(payload.get("fee"), int):
        return int(payload["fee"])
    transactions = payload.get("balance_transactions")
    if not isinstance(transactions, list):
        return None
    fees = [int(t["fee"]) for t in transactions if isinstance(t, dict) and isinstance(t.get("fee"), int)]
    return sum(fees) if fees else None


def dispute_view(dispute: Dispute, payment_id: str) -> dict[str, Any]:
    """The search item (publicapi.md §f.5) but its ``_links``, which the public API adds with its
    own address. ``net_amount`` only for a lost dispute, as documented; ``settlement_summary``
    stays empty: nothing here is paid out yet (no payouts)."""
    status = PUBLIC_STATUS.get(dispute.status, NEEDS_RESPONSE)
    amount = dispute.amount or 0
    fee = _fee(dispute.payload)
    view: dict[str, Any] = {
        "dispute_id": dispute_external_id(dispute.gateway_dispute_id),
        "payment_id": payment_id,
        "amount": amount,
        "created_date": format_instant(dispute.created_date),
        "reason": dispute.reason or "other",
        "status": status,
        "settlement_summary": {},
    }
    if fee is not None:
        view["fee"] = fee
        if status == LOST:
            view["net_amount"] = -(amount + fee)
    if dispute.evidence_due_date is not None:
        view["evidence_due_date"] = format_instant(dispute.evidence_due_date)
    return view
