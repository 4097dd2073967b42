"""``GET /return/{id}``: back to the service, cancelling first if the charge is still cancellable."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from frontend import session as charge_session
from frontend.dependencies import ConnectorDep, load_charge
from frontend.pages import system_error
from frontend.state import CANCELLABLE_ON_RETURN

router = APIRouter(tags=["return"])


@router.get("/return/{charge_id}")
async def return_to_service(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await load_charge(request, connector, charge_id)
    charge_session.mark_terminal(request.session, charge_id)
    if charge.status in CANCELLABLE_ON_RETURN:
        await connector.cancel(charge_id)
    if not charge.return_url:
        return system_error(request, charge)
    # 302, as pay-frontend does; the service checks the outcome through the API.
    return RedirectResponse(charge.return_url, status_code=302)
