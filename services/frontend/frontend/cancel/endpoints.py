"""``POST /card_details/{id}/cancel``: the paying user gives up (fact sheet B2 step 8)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from frontend.dependencies import ConnectorDep, guarded_charge
from frontend.openapi import CSRF_FORM
from frontend.pages import message_page, system_error
from frontend.state import Action

router = APIRouter(tags=["cancel"])


@router.post("/card_details/{charge_id}/cancel", openapi_extra=CSRF_FORM)
async def cancel(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.CANCEL, csrf=True)
    reply = await connector.cancel(charge_id)
    if reply.status_code != 204:
        return system_error(request, charge)
    return message_page(
        request,
        "user_cancelled",
        charge=charge,
        link=f"/return/{charge_id}",
        link_text_key="user_cancelled.continue",
    )
