"""Outbox writes: one ``outbox_events`` row per charge or refund event, in the caller's transaction.

``transition()`` (charges), ``transition_refund()`` (refunds) and ``agreements.state`` (agreements)
call in here with one line each.
The row carries the whole message of connector.md §12.1, so the publisher never has to rebuild
an event from state that may have moved on. The rows are the queue: the table's insert trigger
(migration 0012) notifies the workers' publishers when the transaction commits, and never if it
rolls back, so delivery starts at once without a job row per transaction
(``connector.events.publisher``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Agreement, Charge

#: Events whose details the original sends (connector.md §12.1); the rest carry ``{}``.
_CREATED_FIELDS = (
    "amount",
    "description",
    "reference",
    "return_url",
    "payment_provider",
    "language",
    "delayed_capture",
    "external_metadata",
    "email",
    "source",
    "moto",
    "agreement_payment_type",
    "save_payment_instrument_to_agreement",
)
_TELEPHONE_FIELDS = (
    "amount",
    "reference",
    "description",
    "gateway_transaction_id",
    "first_digits_card_number",
    "last_digits_card_number",
    "cardholder_name",
    "email",
    "expiry_date",
    "card_brand",
    "payment_provider",
    "external_metadata",
    "language",
    "source",
)

_INSERT = """
    INSERT INTO outbox_events (resource_type, resource_external_id, parent_resource_external_id,
        event_type, event_date, event_details, service_id, live, gateway_account_id, ordering_key)
    SELECT CAST(:resource_type AS varchar), CAST(:resource_external_id AS varchar), CAST(:parent AS varchar),
        CAST(:event_type AS varchar), CAST(:event_date AS timestamptz),
        CAST(:details AS jsonb)
            || CASE WHEN :with_live THEN jsonb_build_object('live', ga.type = 'LIVE') ELSE '{}'::jsonb END
            || CASE WHEN :with_account THEN jsonb_build_object('gateway_account_id', CAST(ga.id AS text))
                    ELSE '{}'::jsonb END,
        ga.service_id, ga.type = 'LIVE', CAST(ga.id AS text), CAST(:ordering_key AS varchar)
    """
#: The account (service_id, live) is read in the INSERT itself: no extra round trip per event. Charge and
#: agreement events name their account; refund events find it through their charge.
_INSERT_FOR_ACCOUNT = text(_INSERT + " FROM gateway_accounts ga WHERE ga.id = :account_id")
_INSERT_FOR_REFUND = text(
    _INSERT
    + " FROM charges c JOIN gateway_accounts ga ON ga.id = c.gateway_account_id WHERE c.external_id = CAST(:parent AS varchar)"
)


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 instant with microseconds, as the original's events carry (``...56.123456Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _present(values: dict[str, Any]) -> dict[str, Any]:
    """Null members are omitted from the message (§12.1)."""
    return {key: value for key, value in values.items() if value is not None}


def charge_event_details(charge: Charge, event_type: str) -> dict[str, Any]:
    if event_type == "PAYMENT_CREATED":
        details = {field: getattr(charge, field) for field in _CREATED_FIELDS}
        details["authorisation_mode"] = (charge.authorisation_mode or "WEB").lower()
        details["agreement_id"] = charge.agreement_external_id
        return _present(details)
    if event_type == "PAYMENT_NOTIFICATION_CREATED":
        details = {field: getattr(charge, field) for field in _TELEPHONE_FIELDS}
        details["authorisation_mode"] = (charge.authorisation_mode or "EXTERNAL").lower()
        return _present(details)
    if event_type == "CAPTURE_SUBMITTED":
        return {"capture_submitted_date": format_timestamp(charge.updated_date)}
    if event_type == "CAPTURE_CONFIRMED":
        return {"captured_date": format_timestamp(charge.updated_date)}
    if event_type == "AUTHORISATION_REJECTED" and charge.gateway_rejection_reason:
        return {"gateway_rejection_reason": charge.gateway_rejection_reason}
    return {}


async def _insert(session: AsyncSession, statement: Any, ordering_key: str, **values: Any) -> None:
    event_type = values["event_type"]
    await session.execute(
        statement,
        {
            **values,
            "details": json.dumps(values["details"], default=str),
            "with_live": event_type == "PAYMENT_CREATED",
            "with_account": event_type
            in (
                "PAYMENT_CREATED",
                "PAYMENT_NOTIFICATION_CREATED",
                "REFUND_CREATED_BY_USER",
                "REFUND_CREATED_BY_SERVICE",
            ),
            "ordering_key": ordering_key,
        },
    )


def publish_lock(ordering_key: str) -> str:
    """The lock of the sweep's publish jobs for a payment (one queued or running at a time)."""
    return f"outbox:{ordering_key}"


async def record_charge_event(
    session: AsyncSession, charge: Charge, event_type: str | None, at: datetime
) -> None:
    """The outbox row of a charge transition (READY steps have no event and write nothing)."""
    if event_type is None:
        return
    await _insert(
        session,
        _INSERT_FOR_ACCOUNT,
        charge.external_id,
        resource_type="payment",
        resource_external_id=charge.external_id,
        parent=None,
        event_type=event_type,
        event_date=at,
        details=charge_event_details(charge, event_type),
        account_id=charge.gateway_account_id,
    )


#: Refund status → the event the original emits for it.
REFUND_EVENT_TYPES = {
    "REFUND SUBMITTED": "REFUND_SUBMITTED",
    "REFUNDED": "REFUND_SUCCEEDED",
    "REFUND ERROR": "REFUND_ERROR",
}


class RefundLike(Protocol):
    """A refund, or one row of its history (the historical emitter rebuilds events from those)."""

    external_id: str
    charge_external_id: str
    status: str
    amount: int
    user_external_id: str | None
    user_email: str | None
    gateway_transaction_id: str | None


def refund_event_type(refund: RefundLike) -> str:
    if refund.status == "CREATED":
        return "REFUND_CREATED_BY_USER" if refund.user_external_id else "REFUND_CREATED_BY_SERVICE"
    return REFUND_EVENT_TYPES.get(refund.status, refund.status.replace(" ", "_"))


def refund_event_details(refund: RefundLike) -> dict[str, Any]:
    if refund.status == "CREATED":
        return _present(
            {"amount": refund.amount, "refunded_by": refund.user_external_id, "user_email": refund.user_email}
        )
    return _present({"gateway_transaction_id": refund.gateway_transaction_id})


async def record_refund_event(session: AsyncSession, refund: RefundLike, at: datetime) -> None:
    """The outbox row of a refund entering its current status; its payment orders its events."""
    await _insert(
        session,
        _INSERT_FOR_REFUND,
        refund.charge_external_id,
        resource_type="refund",
        resource_external_id=refund.external_id,
        parent=refund.charge_external_id,
        event_type=refund_event_type(refund),
        event_date=at,
        details=refund_event_details(refund),
    )


async def record_agreement_event(
    session: AsyncSession, agreement: Agreement, event_type: str, at: datetime, details: dict[str, Any]
) -> None:
    """The outbox row of an agreement event (upstream posts these to ledger, connector.md §11.1):
    ``AGREEMENT_CREATED``, ``AGREEMENT_SETUP``, ``AGREEMENT_INACTIVATED``, ``AGREEMENT_CANCELLED_BY_*``.
    The agreement orders its own events."""
    await _insert(
        session,
        _INSERT_FOR_ACCOUNT,
        agreement.external_id,
        resource_type="agreement",
        resource_external_id=agreement.external_id,
        parent=None,
        event_type=event_type,
        event_date=at,
        details=_present(details),
        account_id=agreement.gateway_account_id,
    )
