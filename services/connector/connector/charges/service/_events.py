"""The charge's history: payment and refund states (``GET .../charges/{chargeId}/events``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges import repository
from connector.charges.service._views import format_instant, status_state
from connector.models import Charge, ChargeEvent, RefundHistory

#: Refund status → (external status, finished) for the events list.
REFUND_EXTERNAL_STATES = {
    "CREATED": ("submitted", False),
    "REFUND SUBMITTED": ("submitted", False),
    "REFUNDED": ("success", True),
    "REFUND ERROR": ("error", True),
}

# --- events -----------------------------------------------------------------------------------


def _payment_event(charge: Charge, event: ChargeEvent) -> dict[str, Any]:
    return {
        "type": "PAYMENT",
        "submitted_by": None,
        "state": status_state(event.status),
        "amount": charge.amount,
        "updated": format_instant(event.updated),
        "refund_reference": None,
    }


def _refund_event(row: RefundHistory) -> dict[str, Any]:
    status, finished = REFUND_EXTERNAL_STATES.get(row.status, ("error", True))
    return {
        "type": "REFUND",
        "submitted_by": row.user_external_id,
        "state": {"status": status, "finished": finished},
        "amount": row.amount,
        "updated": format_instant(row.history_start_date),
        "refund_reference": row.external_id,
    }


def _without_repeats(events: list[tuple[datetime, dict[str, Any]]]) -> list[tuple[datetime, dict[str, Any]]]:
    """Drop an event whose external state equals the previous one of the same payment or refund.

    Several internal statuses share one external state (CREATED → ENTERING CARD DETAILS →
    AUTHORISATION READY are created, started, started); the history shows each state once.
    """
    kept: list[tuple[datetime, dict[str, Any]]] = []
    last: dict[tuple[str, Any], dict[str, Any]] = {}
    for moment, event in events:
        key = (event["type"], event["refund_reference"])
        if last.get(key) == event["state"]:
            continue
        last[key] = event["state"]
        kept.append((moment, event))
    return kept


async def build_events_response(session: AsyncSession, charge: Charge) -> dict[str, Any]:
    """``{"charge_id", "events": [...]}``: payment states and refund states, oldest first."""
    payment = [(e.updated, _payment_event(charge, e)) for e in await repository.events_of(session, charge.id)]
    refunds = [
        (r.history_start_date, _refund_event(r))
        for r in await repository.refund_history_of(session, charge.external_id)
    ]
    merged = _without_repeats(payment) + _without_repeats(refunds)
    merged.sort(key=lambda item: item[0])
    return {"charge_id": charge.external_id, "events": [event for _, event in merged]}
