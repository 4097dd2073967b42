"""The agreement and payment-instrument state machines (connector.md §11.1–§11.2).

Nothing else assigns ``Agreement.status`` or ``PaymentInstrument.status``: every move goes
through :func:`move_agreement` / :func:`move_instrument`, which check the tables first.
"""

from __future__ import annotations

from enum import StrEnum

from connector.models import Agreement, PaymentInstrument
from connector.transitions import TransitionTable


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


def move_agreement(agreement: Agreement, target: AgreementStatus) -> None:
    AGREEMENT_TRANSITIONS.check(agreement.status, target)
    agreement.status = target.value


def move_instrument(instrument: PaymentInstrument, target: InstrumentStatus) -> None:
    INSTRUMENT_TRANSITIONS.check(instrument.status, target)
    instrument.status = target.value
