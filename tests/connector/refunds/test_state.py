"""The refund transition table: a finished refund never moves; a refund is submitted, then finished."""

from __future__ import annotations

import pytest

from connector.refunds.state import TRANSITIONS, RefundStatus
from connector.transitions import IllegalTransition


@pytest.mark.parametrize("final", [RefundStatus.REFUNDED, RefundStatus.REFUND_ERROR])
def test_a_finished_refund_never_changes_status(final: RefundStatus) -> None:
    for target in RefundStatus:
        with pytest.raises(IllegalTransition, match=f"Refund state transition \\[{final}\\]"):
            TRANSITIONS.check(final, target)


def test_a_refund_is_submitted_then_refunded_or_in_error() -> None:
    assert TRANSITIONS.is_allowed(RefundStatus.CREATED, RefundStatus.REFUND_SUBMITTED)
    assert TRANSITIONS.is_allowed(RefundStatus.REFUND_SUBMITTED, RefundStatus.REFUNDED)
    assert not TRANSITIONS.is_allowed(RefundStatus.REFUND_SUBMITTED, RefundStatus.CREATED)
