"""The one way a charge's status changes (see the package docstring)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges.state import ChargeStatus, assert_transition, forced_transition_event
from connector.models import Charge, ChargeEvent
from connector.tasks.triggers import after_charge_transition
from pay_common import metrics
from pay_common.db.base import utc_now


async def transition(
    session: AsyncSession,
    charge: Charge,
    target: ChargeStatus,
    *,
    gateway_event_date: datetime | None = None,
    force: bool = False,
) -> str | None:
    """Move ``charge`` to ``target``; return the event name of the edge (None for READY steps).

    Raises ``state.IllegalTransition`` for a move the graph does not allow. ``force=True``
    is the gateway-correction path and accepts only the five forced targets.
    """
    event = forced_transition_event(target) if force else assert_transition(charge.status, target)
    now = utc_now()
    charge.status = target.value
    charge.updated_date = now
    session.add(
        ChargeEvent(
            charge_id=charge.id,
            status=target.value,
            event_name=event,
            updated=now,
            gateway_event_date=gateway_event_date,
        )
    )
    await session.flush()
    await after_charge_transition(session, charge, target, event, now)
    metrics.record_charge_status(charge.payment_provider, target.value)
    return event
