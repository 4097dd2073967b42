"""``/card_details/{chargeId}``: the card form, its submission and the authorisation wait page."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from frontend.card_details.schemas import COUNTRIES, FIELD_IDS, CardForm
from frontend.card_details.service import (
    accepted_brand_labels,
    accepted_hint_key,
    auth_waiting_next_path,
    authorisation_payload,
    next_path_after_authorisation,
    should_patch_email,
)
from frontend.connector_client import Charge
from frontend.dependencies import ConnectorDep, guarded_charge
from frontend.openapi import CARD_FORM
from frontend.pages import not_found, render, system_error, waiting_page
from frontend.security import card_details_csp
from frontend.state import Action

router = APIRouter(tags=["card details"])


def _redirect(charge_id: str, path: str) -> RedirectResponse:
    return RedirectResponse(f"/card_details/{charge_id}{path}", status_code=303)


def _card_page(
    request: Request, charge: Charge, form: CardForm | None, *, status_code: int = 200
) -> HTMLResponse:
    nonce = secrets.token_hex(16)
    request.state.csp_nonce = nonce
    settings = request.app.state.settings
    values = form.echo() if form else {}
    values.setdefault("addressCountry", "GB")
    response = render(
        request,
        "card_details.html",
        charge=charge,
        status_code=status_code,
        values=values,
        errors=form.errors if form else {},
        error_values=form.error_values if form else {},
        field_ids=FIELD_IDS,
        countries=COUNTRIES,
        collect_address=settings.collect_billing_address,
        email_mode=charge.gateway_account.email_collection_mode,
        accepted_hint_key=accepted_hint_key(charge),
        brand_labels=accepted_brand_labels(charge),
    )
    header = "Content-Security-Policy" if settings.csp_enforce else "Content-Security-Policy-Report-Only"
    response.headers[header] = card_details_csp(nonce)
    return response


@router.get("/card_details/{charge_id}")
async def card_details(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.CARD_DETAILS)
    if charge.status == "CREATED":
        if not await connector.start_entering_card_details(charge_id):
            return not_found(request)
        charge = charge.model_copy(update={"status": "ENTERING CARD DETAILS"})
    return _card_page(request, charge, None)


@router.post("/card_details/{charge_id}", openapi_extra=CARD_FORM)
async def submit_card_details(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.CARD_DETAILS_POST, csrf=True)
    if charge.status == "AUTHORISATION READY":
        return _redirect(charge_id, "/auth_waiting")
    raw = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    form = CardForm.from_form(
        raw,
        collect_address=request.app.state.settings.collect_billing_address,
        email_mode=charge.gateway_account.email_collection_mode,
    )
    form.validate(
        charge.gateway_account.card_types,
        block_prepaid=charge.gateway_account.block_prepaid_cards,
        today=datetime.now(UTC).date(),
    )
    if should_patch_email(form):
        await connector.set_email(charge_id, form.get("email"))
    if form.errors:
        return _card_page(request, charge, form)
    reply = await connector.authorise(charge_id, authorisation_payload(form, request))
    path = next_path_after_authorisation(reply)
    if path is None:
        return system_error(request, charge)
    return _redirect(charge_id, path)


@router.get("/card_details/{charge_id}/auth_waiting")
async def auth_waiting(request: Request, charge_id: str, connector: ConnectorDep) -> Response:
    charge = await guarded_charge(request, connector, charge_id, Action.AUTH_WAITING)
    path = auth_waiting_next_path(charge.status)
    if path is not None:
        return _redirect(charge_id, path)
    return waiting_page(request, charge, "waiting.title")
