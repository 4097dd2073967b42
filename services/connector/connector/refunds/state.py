"""The refund state machine: every status, its external status, and the allowed moves.

The single source of truth for refunds, in the style of ``connector/charges/state.py``:
nothing assigns ``Refund.status`` except ``refunds.service.transition_refund``, which calls
:func:`assert_transition` and writes the ``refunds_history`` row (connector.md §3.1).
"""

from __future__ import annotations

from enum import StrEnum


class RefundStatus(StrEnum):
    """Internal refund statuses, stored as these exact strings (connector.md §3.1)."""

    CREATED = "CREATED"
    REFUND_SUBMITTED = "REFUND SUBMITTED"
    REFUNDED = "REFUNDED"
    REFUND_ERROR = "REFUND ERROR"


R = RefundStatus

#: Internal status → external ``status``.
EXTERNAL_REFUND_STATUS: dict[str, str] = {
    R.CREATED: "submitted",
    R.REFUND_SUBMITTED: "submitted",
    R.REFUNDED: "success",
    R.REFUND_ERROR: "error",
}

#: Refunds that count against the amount available (external submitted or success).
COUNTED_STATUSES = frozenset({R.CREATED, R.REFUND_SUBMITTED, R.REFUNDED})

#: Every allowed move. ``REFUNDED`` and ``REFUND ERROR`` are final (the original's Adyen
#: exception, REFUND ERROR → REFUNDED on a late notification, does not apply: no Adyen).
TRANSITIONS: frozenset[tuple[RefundStatus, RefundStatus]] = frozenset(
    {
        (R.CREATED, R.REFUND_SUBMITTED),
        (R.CREATED, R.REFUNDED),
        (R.CREATED, R.REFUND_ERROR),
        (R.REFUND_SUBMITTED, R.REFUNDED),
        (R.REFUND_SUBMITTED, R.REFUND_ERROR),
    }
)


class IllegalRefundTransition(ValueError):
    """A move the refund graph does not allow."""

    def __init__(self, current: RefundStatus, target: RefundStatus) -> None:
        self.current = current
        self.target = target
        super().__init__(f"Refund state transition [{current}] -> [{target}] not allowed")


def is_allowed(current: RefundStatus | str, target: RefundStatus | str) -> bool:
    return (RefundStatus(current), RefundStatus(target)) in TRANSITIONS


def assert_transition(current: RefundStatus | str, target: RefundStatus | str) -> None:
    """Raise :class:`IllegalRefundTransition` unless ``current -> target`` is an edge."""
    if not is_allowed(current, target):
        raise IllegalRefundTransition(RefundStatus(current), RefundStatus(target))
