"""The agreement and payment-instrument state machines (connector.md §11.1–§11.2).

Nothing else assigns ``Agreement.status`` or ``PaymentInstrument.status``: every move goes
through :func:`move_agreement` / :func:`move_instrument`, which check the tables first.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from connector.events import outbox
from connector.models import Agreement, PaymentInstrument
from connector.transitions import TransitionTable
from pay_common.db.base import utc_now


class AgreementStatus(StrEnum):
    CREATED = "CREATED"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    CANCELLED = "CANCELLED"


class InstrumentStatus(StrEnum):
    CREATED = "CREATED"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    CANCELLED = "CANCELLED"


A = AgreementStatus
I = InstrumentStatus  # noqa: E741 - mirrors the charges' S alias

#: An agreement turns ACTIVE when its set-up payment's instrument does, INACTIVE when that
#: instrument is declined for good, and CANCELLED when the service or a user ends it. A cancelled
#: agreement is reactivated by a new set-up payment (seed 003: "Reactivate a cancelled agreement by
#: taking a payment from the user and telling the GOV.UK Pay API to save the user's card details").
AGREEMENT_TRANSITIONS = TransitionTable(
    "Agreement",
    AgreementStatus,
    {
        A.CREATED: {A.ACTIVE, A.CANCELLED},
        A.ACTIVE: {A.INACTIVE, A.CANCELLED},
        A.INACTIVE: {A.ACTIVE, A.CANCELLED},
        A.CANCELLED: {A.ACTIVE},
    },
)

#: §11.2: CREATED on the set-up payment's authorisation, ACTIVE when it is approved for capture,
#: INACTIVE on a non-retriable decline, CANCELLED on agreement cancel or replacement (final).
INSTRUMENT_TRANSITIONS = TransitionTable(
    "Payment instrument",
    InstrumentStatus,
    {
        I.CREATED: {I.ACTIVE, I.CANCELLED},
        I.ACTIVE: {I.INACTIVE, I.CANCELLED},
        I.INACTIVE: {I.CANCELLED},
    },
)


async def move_agreement(
    session: AsyncSession,
    agreement: Agreement,
    target: AgreementStatus,
    event_type: str,
    details: dict[str, Any] | None = None,
) -> None:
    """Check the table, move, and write the agreement's event to the outbox in the same transaction."""
    AGREEMENT_TRANSITIONS.check(agreement.status, target)
    agreement.status = target.value
    await outbox.record_agreement_event(session, agreement, event_type, utc_now(), details or {})


def move_instrument(instrument: PaymentInstrument, target: InstrumentStatus) -> None:
    INSTRUMENT_TRANSITIONS.check(instrument.status, target)
    instrument.status = target.value
