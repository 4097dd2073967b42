"""The retry schedule (§A4 "Retry schedule (exact)"): by FAILED attempts before this one."""

from __future__ import annotations

from datetime import timedelta

#: After the n-th failed attempt (n = index + 1), the next attempt is this much later.
RETRY_DELAYS = (
    timedelta(seconds=60),
    timedelta(minutes=5),
    timedelta(hours=1),
    timedelta(days=1),
    timedelta(days=2),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def next_retry_in(failed_before: int) -> timedelta | None:
    """The delay before the next attempt when this attempt (with ``failed_before`` earlier
    failures) fails; None after the sixth attempt."""
    if failed_before < len(RETRY_DELAYS):
        return RETRY_DELAYS[failed_before]
    return None
