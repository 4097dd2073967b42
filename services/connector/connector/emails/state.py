"""An owed email's delivery status, in the style of ``connector/charges/state.py``.

``PENDING`` until its job finishes it: ``SENT`` (Notify took it), ``DELIVERED_LOCALLY`` (the
local mailbox), ``NOT_SENT`` (switched off, no address...) or ``FAILED`` (Notify refused it, or
stayed unavailable past the last attempt). Nothing assigns ``PaymentEmail.status`` except
:func:`transition_email`.
"""

from __future__ import annotations

from enum import StrEnum

from connector.models import PaymentEmail
from connector.transitions import TransitionTable
from pay_common.db.base import utc_now


class EmailStatus(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DELIVERED_LOCALLY = "DELIVERED_LOCALLY"
    NOT_SENT = "NOT_SENT"
    FAILED = "FAILED"


E = EmailStatus

TRANSITIONS = TransitionTable(
    "Email",
    EmailStatus,
    {(E.PENDING, E.SENT), (E.PENDING, E.DELIVERED_LOCALLY), (E.PENDING, E.NOT_SENT), (E.PENDING, E.FAILED)},
)
DELIVERED = frozenset({E.SENT, E.DELIVERED_LOCALLY})


def transition_email(email: PaymentEmail, target: EmailStatus, detail: str | None = None) -> None:
    """Finish ``email`` with ``target`` (and why, for NOT_SENT / FAILED)."""
    TRANSITIONS.check(email.status, target)
    email.status = target.value
    email.detail = detail
    if target in DELIVERED:
        email.sent_date = utc_now()
