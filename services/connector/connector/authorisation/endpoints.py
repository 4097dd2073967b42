"""The payment pages' side of a charge: start, email, card details, 3DS, confirm, cancel.

``/cards`` and ``/3ds`` open their own transactions (the gateway is called between two of
them), so they take the sessionmaker rather than the per-request session.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from connector.authorisation.dependencies import JsonObject
from connector.authorisation.errors import InvalidCardDetails
from connector.authorisation.schemas import (
    CardAuthorisationRequest,
    EmailPatch,
    StatusChangeRequest,
    ThreeDsRequest,
)
from connector.authorisation.service import GENERIC_3DS_ERROR, authorise, authorise_3ds
from connector.cancel.service import USER_CANCEL, CancelRefused, cancel_charge
from connector.capture.service import approve_by_user
from connector.charges import repository
from connector.charges.errors import (
    CannotUpdateStatus,
    ChargeNotFound,
    ChargeNotInCorrectState,
    InvalidNewStatus,
    OperationInProgress,
)
from connector.charges.service import build_frontend_charge_response, transition
from connector.charges.state import ChargeStatus
from connector.dependencies import SettingsDep
from connector.errors import BadRequest, ConnectorError
from connector.postgres import SessionDep, SessionmakerDep

router = APIRouter(prefix="/v1/frontend/charges/{charge_id}")
S = ChargeStatus


@router.put("/status", status_code=204)
async def start_entering_card_details(charge_id: str, body: JsonObject, session: SessionDep) -> Response:
    """``{"new_status": "ENTERING CARD DETAILS"}``: the payer opened the card details page."""
    try:
        new_status = StatusChangeRequest.model_validate(body).new_status
    except ValidationError:
        raise InvalidNewStatus() from None
    if new_status != S.ENTERING_CARD_DETAILS:
        raise InvalidNewStatus()
    charge = await repository.lock_charge(session, charge_id)
    if charge is None or charge.status not in (S.CREATED, S.ENTERING_CARD_DETAILS):
        raise CannotUpdateStatus(charge_id, new_status)
    if charge.status == S.CREATED:
        # Already ENTERING CARD DETAILS (a page reload) is a no-op 204: the graph has no self-edge.
        await transition(session, charge, S.ENTERING_CARD_DETAILS)
    return Response(status_code=204)


def _patch_parameters(body: dict[str, Any]) -> str:
    # The original prints the patch as a Java map: {op=replace, path=email, value=...}.
    return "{" + ", ".join(f"{key}={value}" for key, value in body.items()) + "}"


@router.patch("")
async def patch_email(
    charge_id: str, body: JsonObject, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """``{"op": "replace", "path": "email", "value": "..."}``: the payer's email address."""
    try:
        patch = EmailPatch.model_validate(body)
    except ValidationError:
        raise BadRequest(f"Bad patch parameters{_patch_parameters(body)}") from None
    if patch.op != "replace" or patch.path != "email" or patch.value is None:
        raise BadRequest(f"Bad patch parameters{_patch_parameters(body)}")
    if len(patch.value) > 254:
        raise BadRequest(f"Invalid patch parameters{_patch_parameters(body)}")
    charge = await repository.lock_charge(session, charge_id)
    if charge is None:
        raise ChargeNotFound(charge_id)
    charge.email = patch.value
    await session.flush()
    return await build_frontend_charge_response(session, settings, charge)


@router.post("/cards")
async def authorise_card(
    charge_id: str, body: JsonObject, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> dict[str, str]:
    """Authorise the charge with the card details the payer entered (connector.md §8.2)."""
    try:
        card = CardAuthorisationRequest.model_validate(body)
    except ValidationError:
        raise InvalidCardDetails() from None
    outcome = await authorise(sessionmaker, settings, charge_id, card)
    if outcome.error is not None:
        raise outcome.error
    return {"status": outcome.status.value}


@router.post("/3ds")
async def authorise_three_ds(
    charge_id: str, body: JsonObject, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> JSONResponse:
    """The issuer's 3DS answer, relayed by the payment pages (connector.md §8.3)."""
    try:
        request = ThreeDsRequest.model_validate(body)
    except ValidationError:
        raise BadRequest("Values do not match expected format/length.") from None
    outcome = await authorise_3ds(sessionmaker, settings, charge_id, request)
    if outcome.error is not None:
        raise outcome.error
    if outcome.gateway_failed:
        raise ConnectorError(GENERIC_3DS_ERROR, status_code=402)
    status_code = 200 if outcome.status == S.AUTHORISATION_SUCCESS else 400
    return JSONResponse({"status": outcome.status.value}, status_code=status_code)


@router.post("/capture", status_code=204)
async def confirm_capture(charge_id: str, session: SessionDep) -> Response:
    """The payer confirmed: approve for capture (or await the service's capture request)."""
    await approve_by_user(session, charge_id)
    return Response(status_code=204)


@router.post("/cancel", status_code=204)
async def cancel_by_user(charge_id: str, sessionmaker: SessionmakerDep) -> Response:
    """The payer pressed "cancel payment" (connector.md §9.1)."""
    try:
        status = await cancel_charge(sessionmaker, charge_id, USER_CANCEL)
    except CancelRefused as refused:
        if refused.reason == "in_progress":
            raise OperationInProgress(USER_CANCEL.name, charge_id) from None
        raise ChargeNotInCorrectState(charge_id) from None
    if status is None:
        raise ChargeNotFound(charge_id)
    return Response(status_code=204)
