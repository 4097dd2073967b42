"""``GET /secure/{token}`` and ``POST /secure``: where ``next_url`` lands."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from frontend.dependencies import ConnectorDep
from frontend.openapi import SECURE_FORM
from frontend.pages import session_expired, state_page
from frontend.secure.service import exchange_token
from frontend.state import page_for

router = APIRouter(tags=["secure"])


async def _exchange(request: Request, connector: ConnectorDep, token: str) -> Response:
    exchange = await exchange_token(request, connector, token)
    charge = exchange.charge
    if exchange.redirect_path is not None:
        return RedirectResponse(f"/card_details/{charge.charge_id}{exchange.redirect_path}", status_code=303)
    # Reuse from the same browser: the page for the current state, in place (a charge still CREATED
    # never reached the card page, so it goes there rather than to the generic error).
    if charge.status == "CREATED":
        return RedirectResponse(f"/card_details/{charge.charge_id}", status_code=303)
    return state_page(request, charge, page_for(charge.status))


@router.get("/secure/{token}")
async def secure_get(request: Request, token: str, connector: ConnectorDep) -> Response:
    return await _exchange(request, connector, token)


@router.post("/secure", openapi_extra=SECURE_FORM)
@router.post("/secure/", include_in_schema=False)
async def secure_post(request: Request, connector: ConnectorDep) -> Response:
    token = (await request.form()).get("chargeTokenId")
    if not isinstance(token, str) or not token:
        return session_expired(request)
    return await _exchange(request, connector, token)
