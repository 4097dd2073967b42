"""What every provider's notification handler does to our rows: find, then move, idempotently.

A notification may arrive twice, late, or for a charge that has moved on: moving a charge to
the status it already has is a no-op, a move the graph allows is made, a move it does not
allow is forced only where ``force`` is asked for (``CAPTURED`` after a capture notification,
connector.md §15.1) and otherwise logged and ignored. Each handler runs in one transaction
with the charge row locked, so two deliveries of one notification serialise.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.service import transition
from connector.charges.state import ChargeStatus, is_allowed
from connector.models import Charge, Refund
from connector.refunds.service import transition_refund
from connector.refunds.state import RefundStatus
from pay_common.logging import get_logger

logger = get_logger(__name__)


def sent_from(address: str | None, cidrs: Iterable[str]) -> bool:
    """Whether the sender's ``address`` lies in one of ``cidrs`` (an unreadable one never does)."""
    if not address:
        return False
    try:
        sender = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(sender in ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


async def lock_charge_by_transaction(
    session: AsyncSession, provider: str, transaction_id: str
) -> Charge | None:
    if not transaction_id or len(transaction_id) > 255 or "\x00" in transaction_id:
        return None
    return await session.scalar(
        select(Charge)
        .where(Charge.payment_provider == provider, Charge.gateway_transaction_id == transaction_id)
        .order_by(Charge.id)
        .limit(1)
        .with_for_update(of=Charge)
    )


async def move_charge(
    session: AsyncSession,
    charge: Charge,
    target: ChargeStatus,
    *,
    force: bool = False,
    gateway_event_date: datetime | None = None,
) -> bool:
    """Move the (locked) charge to ``target``; True when it changed."""
    if charge.status == target:
        logger.info(
            "notification.charge_already_there", charge_external_id=charge.external_id, status=target.value
        )
        return False
    if not is_allowed(charge.status, target) and not force:
        logger.warning(
            "notification.charge_transition_ignored",
            charge_external_id=charge.external_id,
            status=charge.status,
            target=target.value,
        )
        return False
    await transition(
        session,
        charge,
        target,
        force=not is_allowed(charge.status, target),
        gateway_event_date=gateway_event_date,
    )
    logger.info("notification.charge_moved", charge_external_id=charge.external_id, status=target.value)
    return True


async def move_refund(
    session: AsyncSession, charge_external_id: str, reference: str, target: RefundStatus
) -> bool:
    """Move the refund of ``charge_external_id`` known to the provider as ``reference``; True when it changed."""
    refund = await session.scalar(
        select(Refund)
        .where(Refund.charge_external_id == charge_external_id, Refund.gateway_transaction_id == reference)
        .with_for_update()
    )
    if refund is None:
        logger.warning(
            "notification.refund_not_found", charge_external_id=charge_external_id, reference=reference
        )
        return False
    if refund.status == target.value or refund.status in (RefundStatus.REFUNDED, RefundStatus.REFUND_ERROR):
        logger.info("notification.refund_already_final", refund_id=refund.external_id, status=refund.status)
        return False
    if refund.status == RefundStatus.CREATED:
        await transition_refund(session, refund, RefundStatus.REFUND_SUBMITTED)
    await transition_refund(session, refund, target)
    return True
