"""Recording Stripe disputes (``charge.dispute.created|updated|closed``): one row per dispute id."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.models import Charge, Dispute
from pay_common.db.base import utc_now
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)


def _evidence_due(dispute: dict[str, Any]) -> datetime | None:
    details = dispute.get("evidence_details") or {}
    due = details.get("due_by") if isinstance(details, dict) else None
    return datetime.fromtimestamp(due, tz=UTC) if isinstance(due, int) else None


async def record_dispute(
    sessionmaker: async_sessionmaker[AsyncSession], event_type: str, dispute: dict[str, Any]
) -> None:
    dispute_id = dispute.get("id")
    if not isinstance(dispute_id, str) or not dispute_id:
        logger.warning("stripe.dispute.without_id", event_type=event_type)
        return
    intent_id = dispute.get("payment_intent") if isinstance(dispute.get("payment_intent"), str) else None
    async with unit_of_work(sessionmaker) as session:
        charge_id = None
        if intent_id:
            charge_id = await session.scalar(
                select(Charge.id).where(
                    Charge.payment_provider == "stripe", Charge.gateway_transaction_id == intent_id
                )
            )
        values = {
            "charge_id": charge_id,
            "payment_intent_id": intent_id,
            "amount": dispute.get("amount") if isinstance(dispute.get("amount"), int) else None,
            "reason": str(dispute.get("reason") or "")[:100] or None,
            "status": str(dispute.get("status") or "unknown")[:50],
            "evidence_due_date": _evidence_due(dispute),
            "last_event_type": event_type[:50],
            "payload": dispute,
            "updated_date": utc_now(),
        }
        await session.execute(
            insert(Dispute)
            .values(gateway_dispute_id=dispute_id, **values)
            .on_conflict_do_update(index_elements=[Dispute.gateway_dispute_id], set_=values)
        )
    logger.info(
        "stripe.dispute.recorded",
        dispute_id=dispute_id,
        event_type=event_type,
        charge_found=charge_id is not None,
    )
