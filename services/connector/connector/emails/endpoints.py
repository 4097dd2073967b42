"""``GET /v1/api/emails/mailbox`` (the local mailbox) and the confirmation email's resend.

Only emails delivered locally are listed: with ``email_delivery=local`` (``make run``'s default)
the confirmation of a demo payment can be read without a Notify account.

``POST /v1/api/accounts/{accountId}/charges/{chargeId}/resend-confirmation-email`` (connector.md
§14.4) sends at once: 204 when the email went, 402 ``Failed to send email`` when it did not;
404 for an unknown account, then for a charge that is not the account's.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from connector.accounts.dependencies import AccountDep
from connector.charges.dependencies import ChargeDep
from connector.charges.service import format_instant
from connector.dependencies import SettingsDep
from connector.emails import repository, service
from connector.emails.errors import EmailNotSent
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


@router.post(
    "/v1/api/accounts/{account_id}/charges/{charge_id}/resend-confirmation-email",
    status_code=204,
    responses={
        402: {"description": "Failed to send email"},
        404: {"description": "Account or charge not found"},
    },
)
async def resend_confirmation_email(
    _account: AccountDep, charge: ChargeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    if await service.resend_confirmation(session, settings, charge=charge):
        return Response(status_code=204)
    # Answered, not raised: the attempt (and the retry job when Notify was down) is committed.
    error = EmailNotSent()
    return JSONResponse(error.body(), status_code=error.status_code)
