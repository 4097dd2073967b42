"""The one way a charge's status changes (see the package docstring), creation included."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from connector.charges import repository
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


async def insert_as(
    session: AsyncSession, charge: Charge, target: ChargeStatus, *, token: str | None
) -> None:
    """Write the new (transient, ``UNDEFINED``) ``charge`` already moved to ``target``.

    The charge's first transition and its insert in one statement (``repository.insert_charge``:
    the charge row, its ``charge_events`` row and its one-time token, if any): the edge is
    checked and named by the state table like any other, and the event row is the one
    :func:`transition` would write. One INSERT … RETURNING instead of the ORM's insert, update
    and two more inserts is most of the create's database time and Python CPU
    (docs/benchmarks.md). Sets ``charge.id`` and ``charge.status``.
    """
    event = assert_transition(charge.status, target)
    charge.status = target.value
    values = {name: getattr(charge, name) for name in repository.NEW_CHARGE_COLUMNS}
    charge.id = await repository.insert_charge(
        session, values, event_status=target.value, event_name=event, token=token
    )
    await after_charge_transition(session, charge, target, event, values["updated_date"])
