"""Recording disputes, from the provider (Stripe's ``charge.dispute.*``) or the sandbox's test hook.

The sandbox hook (docs/decisions.md, "Sandbox disputes"): a sandbox payment made with one of
:data:`SANDBOX_DISPUTE_CARDS` is disputed once it is captured, with the record a Stripe
``charge.dispute.created`` (or a lost dispute's ``charge.dispute.closed``) would leave, so a
service can exercise ``GET /v1/disputes`` without a Stripe account. It listens to the event
stream (``CAPTURE_CONFIRMED``) like the emails consumer, so it happens shortly after capture,
in the worker, and a redelivered event adds nothing (one dispute per payment).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.disputes import repository
from connector.disputes.schemas import LOST, NEEDS_RESPONSE, DisputeRecord
from connector.events.consumers import Message
from connector.models import Charge
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)

#: (first 6, last 4) of the sandbox cards whose payments are disputed after capture → the
#: dispute's status. The numbers are Stripe's own dispute test cards: 4000000000000259
#: (a fraudulent dispute that needs a response) and 4000000000002685 (one already lost).
SANDBOX_DISPUTE_CARDS: dict[tuple[str, str], str] = {
    ("400000", "0259"): NEEDS_RESPONSE,
    ("400000", "2685"): LOST,
}
#: What the sandbox charges for a dispute, in pence (Stripe UK's dispute fee is £20).
SANDBOX_DISPUTE_FEE = 2000
#: How long the service has to send evidence, as Stripe typically allows.
SANDBOX_EVIDENCE_WINDOW = timedelta(days=21)


async def record(session: AsyncSession, dispute: DisputeRecord) -> None:
    await repository.upsert(session, dispute)
    logger.info(
        "dispute.recorded",
        dispute_id=dispute.gateway_dispute_id,
        event_type=dispute.event_type,
        status=dispute.status,
        charge_found=dispute.charge_id is not None,
    )


def _stripe_evidence_due(dispute: dict[str, Any]) -> datetime | None:
    details = dispute.get("evidence_details") or {}
    due = details.get("due_by") if isinstance(details, dict) else None
    return datetime.fromtimestamp(due, tz=UTC) if isinstance(due, int) else None


async def record_stripe_dispute(
    sessionmaker: async_sessionmaker[AsyncSession], event_type: str, dispute: dict[str, Any]
) -> None:
    """A ``charge.dispute.created|updated|closed`` object; one row per Stripe dispute id."""
    dispute_id = dispute.get("id")
    if not isinstance(dispute_id, str) or not dispute_id:
        logger.warning("stripe.dispute.without_id", event_type=event_type)
        return
    intent_id = dispute.get("payment_intent") if isinstance(dispute.get("payment_intent"), str) else None
    amount = dispute.get("amount")
    async with unit_of_work(sessionmaker) as session:
        charge_id = await repository.stripe_charge_id(session, intent_id) if intent_id else None
        await record(
            session,
            DisputeRecord(
                gateway_dispute_id=dispute_id,
                charge_id=charge_id,
                payment_intent_id=intent_id,
                amount=amount if isinstance(amount, int) else None,
                reason=str(dispute.get("reason") or "")[:100] or None,
                status=str(dispute.get("status") or "unknown")[:50],
                evidence_due_date=_stripe_evidence_due(dispute),
                event_type=event_type,
                payload=dispute,
            ),
        )


def sandbox_dispute(charge: Charge) -> DisputeRecord | None:
    """The dispute the sandbox raises against this captured payment, if its card is a dispute card."""
    card = (charge.first_digits_card_number or "", charge.last_digits_card_number or "")
    status = SANDBOX_DISPUTE_CARDS.get(card)
    if status is None:
        return None
    gateway_id = f"sandbox_dp_{charge.external_id}"
    return DisputeRecord(
        gateway_dispute_id=gateway_id,
        charge_id=charge.id,
        payment_intent_id=None,
        amount=charge.amount,
        reason="fraudulent",
        status=status,
        evidence_due_date=None if status == LOST else utc_now() + SANDBOX_EVIDENCE_WINDOW,
        event_type="charge.dispute.closed" if status == LOST else "charge.dispute.created",
        payload={"id": gateway_id, "provider": "sandbox", "fee": SANDBOX_DISPUTE_FEE, "status": status},
    )


class SandboxDisputesConsumer:
    """Event-stream consumer: disputes sandbox payments made with a dispute card once captured."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(self, messages: Sequence[Message]) -> None:
        captured = [
            str(m["resource_external_id"])
            for m in messages
            if m.get("event_type") == "CAPTURE_CONFIRMED" and m.get("resource_type") == "payment"
        ]
        if not captured:
            return
        async with unit_of_work(self._sessionmaker) as session:
            for charge in await repository.sandbox_charges_paid_with(
                session, captured, list(SANDBOX_DISPUTE_CARDS)
            ):
                dispute = sandbox_dispute(charge)
                if dispute is not None:
                    await record(session, dispute)
