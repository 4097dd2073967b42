"""The emails consumer of the event stream: which event means the payer is owed an email.

As upstream (connector.md §8.4, §8.5, §3.3): the payment confirmation when the payer approves a
payment that is captured at once (``USER_APPROVED_FOR_CAPTURE``), or when a delayed-capture
payment is captured (``CAPTURE_CONFIRMED``); the refund email when a refund succeeds
(``REFUND_SUCCEEDED``). Each owed email is one row, written with its send job in one
transaction: a redelivered event finds the row and adds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector import jobs
from connector.emails import repository
from connector.events.consumers import Message
from pay_common.db.session import unit_of_work

PAYMENT_CONFIRMED = "PAYMENT_CONFIRMED"
REFUND_ISSUED = "REFUND_ISSUED"
#: Events that can make an email owed without a look at the charge.
_OWING = frozenset({"USER_APPROVED_FOR_CAPTURE", "REFUND_SUCCEEDED"})


def _owed(message: Message, delayed: set[str]) -> tuple[str, str, str] | None:
    """(kind, charge id, refund id) of the email this event makes owed, if any (``delayed``: the
    batch's delayed-capture charges)."""
    event_type = message.get("event_type")
    if event_type == "USER_APPROVED_FOR_CAPTURE":
        return PAYMENT_CONFIRMED, str(message["resource_external_id"]), ""
    if event_type == "CAPTURE_CONFIRMED" and str(message["resource_external_id"]) in delayed:
        return PAYMENT_CONFIRMED, str(message["resource_external_id"]), ""
    if event_type == "REFUND_SUCCEEDED" and message.get("parent_resource_external_id"):
        return (
            REFUND_ISSUED,
            str(message["parent_resource_external_id"]),
            str(message["resource_external_id"]),
        )
    return None


class EmailsConsumer:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self._sessionmaker = sessionmaker

    async def __call__(self, messages: Sequence[Message]) -> None:
        captured = [
            str(m["resource_external_id"]) for m in messages if m.get("event_type") == "CAPTURE_CONFIRMED"
        ]
        if not captured and not any(m.get("event_type") in _OWING for m in messages):
            return
        async with unit_of_work(self._sessionmaker) as session:
            delayed = await repository.delayed_capture_charges(session, captured)
            owed = [found for message in messages if (found := _owed(message, delayed)) is not None]
            # Three statements for the whole batch: the owed rows, then one send job for each new one.
            email_ids = await repository.add_owed_many(session, list(dict.fromkeys(owed)))
            await jobs.defer_many(
                session, jobs.SEND_EMAIL, [{"email_id": email_id} for email_id in email_ids]
            )
