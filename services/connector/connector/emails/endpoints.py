"""``GET /v1/api/emails/mailbox``: the local mailbox (``pay-admin mailbox``).

Only emails delivered locally are listed: with ``email_delivery=local`` (``make run``'s default)
the confirmation of a demo payment can be read without a Notify account.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from connector.charges.service import format_instant
from connector.emails import repository
from connector.postgres import SessionDep

router = APIRouter(tags=["emails"])


@router.get("/v1/api/emails/mailbox")
async def mailbox(session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    emails = await repository.mailbox(session, limit)
    return {
        "emails": [
            {
                "kind": email.kind,
                "charge_id": email.charge_external_id,
                "refund_id": email.refund_external_id or None,
                "to": email.mailbox_to,
                "template_id": email.template_id,
                "personalisation": email.mailbox_personalisation,
                "delivered_date": format_instant(email.sent_date) if email.sent_date else None,
            }
            for email in emails
        ]
    }
