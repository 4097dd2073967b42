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


async def _owed(session: AsyncSession, message: Message) -> tuple[str, str, str] | None:
    """(kind, charge id, refund id) of the email this event makes owed, if any."""
    event_type = message.get("event_type")
    if event_type == "USER_APPROVED_FOR_CAPTURE":
        return PAYMENT_CONFIRMED, str(message["resource_external_id"]), ""
    if event_type == "CAPTURE_CONFIRMED":
        charge_id = str(message["resource_external_id"])
        if await repository.charge_is_delayed_capture(session, charge_id):
            return PAYMENT_CONFIRMED, charge_id, ""
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
        async with unit_of_work(self._sessionmaker) as session:
            for message in messages:
                owed = await _owed(session, message)
                if owed is None:
                    continue
                email_id = await repository.add_owed(session, *owed)
                if email_id is not None:
                    await jobs.defer(session, jobs.SEND_EMAIL, {"email_id": email_id})
