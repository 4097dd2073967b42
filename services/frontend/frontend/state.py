"""The state enforcer (fact sheet B6): which charge statuses each action accepts, and the page a
charge in any other status gets instead, rendered in place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    CARD_DETAILS = "card_details"
    CARD_DETAILS_POST = "card_details_post"
    AUTH_WAITING = "auth_waiting"
    THREE_DS_REQUIRED = "three_ds_required"
    THREE_DS_HANDLER = "three_ds_handler"
    CONFIRM = "confirm"
    CAPTURE_WAITING = "capture_waiting"
    CANCEL = "cancel"


ALLOWED: dict[Action, frozenset[str]] = {
    Action.CARD_DETAILS: frozenset({"ENTERING CARD DETAILS", "CREATED"}),
    Action.CARD_DETAILS_POST: frozenset({"AUTHORISATION READY", "ENTERING CARD DETAILS"}),
    Action.AUTH_WAITING: frozenset(
        {
            "AUTHORISATION READY",
            "AUTHORISATION 3DS REQUIRED",
            "AUTHORISATION 3DS READY",
            "AUTHORISATION SUCCESS",
        }
    ),
    Action.THREE_DS_REQUIRED: frozenset({"AUTHORISATION 3DS REQUIRED"}),
    Action.THREE_DS_HANDLER: frozenset({"AUTHORISATION 3DS REQUIRED", "AUTHORISATION SUCCESS"}),
    Action.CONFIRM: frozenset({"AUTHORISATION SUCCESS"}),
    Action.CAPTURE_WAITING: frozenset({"CAPTURE READY", "CAPTURE SUBMITTED"}),
    Action.CANCEL: frozenset({"ENTERING CARD DETAILS", "AUTHORISATION SUCCESS"}),
}

#: Statuses in which ``/return/{id}`` cancels the charge before sending the user back.
CANCELLABLE_ON_RETURN = frozenset(
    {
        "CREATED",
        "ENTERING CARD DETAILS",
        "AUTHORISATION SUCCESS",
        "AUTHORISATION READY",
        "AUTHORISATION 3DS REQUIRED",
        "AUTHORISATION 3DS READY",
    }
)


@dataclass(frozen=True)
class StatePage:
    """``page`` names a message page (i18n prefix); ``continue_path`` (in progress) is relative to
    ``/card_details/{id}``."""

    page: str
    http_status: int
    terminal: bool
    continue_path: str | None = None


_IN_PROGRESS = {
    "ENTERING CARD DETAILS": "",
    "AUTHORISATION READY": "/auth_waiting",
    "AUTHORISATION 3DS REQUIRED": "/3ds_required",
    "AUTHORISATION SUCCESS": "/confirm",
}

_PAGES: dict[str, StatePage] = {
    **{status: StatePage("in_progress", 200, False, path) for status, path in _IN_PROGRESS.items()},
    "CAPTURE READY": StatePage("processing", 200, False),
    **{
        status: StatePage("declined", 200, True)
        for status in ("AUTHORISATION REJECTED", "AUTHORISATION CANCELLED")
    },
    "AUTHORISATION ERROR": StatePage("error", 200, True),
    **{
        status: StatePage("success", 200, True)
        for status in (
            "CAPTURE SUBMITTED",
            "CAPTURED",
            "CAPTURE APPROVED",
            "CAPTURE APPROVED RETRY",
            "AWAITING CAPTURE REQUEST",
        )
    },
    **{status: StatePage("capture_failure", 200, True) for status in ("CAPTURE ERROR", "CAPTURE FAILURE")},
    **{
        status: StatePage("expired", 200, True)
        for status in ("EXPIRED", "EXPIRE CANCEL READY", "EXPIRE CANCEL FAILED")
    },
    **{
        status: StatePage("system_cancelled", 200, True)
        for status in ("SYSTEM CANCELLED", "SYSTEM CANCEL READY", "SYSTEM CANCEL ERROR")
    },
    **{
        status: StatePage("user_cancelled", 200, True)
        for status in ("USER CANCELLED", "USER CANCEL READY", "USER CANCEL ERROR")
    },
}

#: Anything else (``CREATED`` where not allowed, ``AUTHORISATION TIMEOUT``, ``CAPTURE QUEUED`` ...).
GENERIC_ERROR = StatePage("generic", 500, True)

#: Where the first use of a token sends the browser (303), by status; other statuses have no page.
_FIRST_GET: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"CREATED", "ENTERING CARD DETAILS"}), ""),
    (frozenset({"AUTHORISATION SUCCESS"}), "/confirm"),
    (frozenset({"AUTHORISATION 3DS REQUIRED"}), "/3ds_required"),
    (frozenset({"AUTHORISATION READY", "AUTHORISATION 3DS READY"}), "/auth_waiting"),
    (frozenset({"CAPTURE READY", "CAPTURE SUBMITTED"}), "/capture_waiting"),
)


def is_allowed(action: Action, status: str, payment_provider: str | None = None) -> bool:
    if status in ALLOWED[action]:
        return True
    # Stripe completes 3DS by webhook, so the 3DS READY state is a normal stop there.
    return (
        payment_provider == "stripe"
        and status == "AUTHORISATION 3DS READY"
        and action in (Action.THREE_DS_REQUIRED, Action.THREE_DS_HANDLER)
    )


def page_for(status: str) -> StatePage:
    return _PAGES.get(status, GENERIC_ERROR)


def first_use_path(status: str) -> str | None:
    """The card-details-relative path a freshly exchanged token redirects to, or None."""
    for statuses, path in _FIRST_GET:
        if status in statuses:
            return path
    return None
