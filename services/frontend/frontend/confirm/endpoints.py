"""``/card_details/{id}/confirm``: the summary, the capture on "Confirm payment", and the capture wait."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from frontend import session as charge_session
from frontend.confirm.service import billing_address_lines, masked_card_number
from frontend.dependencies import ConnectorDep, guarded_charge
from frontend.openapi import CSRF_FORM
from frontend.pages import message_page, render, system_error, waiting_page
from frontend.state import Action

router = APIRouter(tags=["confirm"])


@router.get("/card_details/{charge_id}/confirm")
async def confirm(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.CONFIRM)
    return render(
        request,
        "confirm.html",
        charge=charge,
        masked_card_number=masked_card_number(charge),
        address_lines=billing_address_lines(charge),
    )


@router.post("/card_details/{charge_id}/confirm", openapi_extra=CSRF_FORM)
async def capture(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.CONFIRM, csrf=True)
    reply = await connector.capture(charge_id)
    if reply.status_code == 204:
        return RedirectResponse(f"/return/{charge_id}", status_code=303)
    # Whatever went wrong, this browser may not try again with this charge.
    charge_session.forget(request.session, charge_id)
    if reply.status_code == 400:
        return message_page(request, "capture_failure", charge=charge)
    return system_error(request, charge)


@router.get("/card_details/{charge_id}/capture_waiting")
async def capture_waiting(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.CAPTURE_WAITING)
    return waiting_page(request, charge, "processing.title")
