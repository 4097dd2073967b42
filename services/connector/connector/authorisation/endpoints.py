"""The payment pages' side of a charge: start, email, card details, 3DS, confirm, cancel.

``/cards`` and ``/3ds`` open their own transactions (the gateway is called between two of
them), so they take the sessionmaker rather than the per-request session.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from connector.authorisation.dependencies import JsonObject, body_as
from connector.authorisation.errors import InvalidCardDetails
from connector.authorisation.schemas import (
    CardAuthorisationRequest,
    EmailPatch,
    StatusChangeRequest,
    ThreeDsRequest,
)
from connector.authorisation.service import GENERIC_3DS_ERROR, authorise, authorise_3ds
from connector.cancel.service import AUTHORISING, USER_CANCEL, CancelRefused, cancel_charge
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
from connector.charges.service._reference import contains_card_number
from connector.charges.state import ChargeStatus
from connector.dependencies import SettingsDep
from connector.errors import BadRequest, ConnectorError
from connector.postgres import SessionDep, SessionmakerDep

router = APIRouter(prefix="/v1/frontend/charges/{charge_id}")
S = ChargeStatus


#: new_status -> the statuses a charge may be in for it. Already there is a no-op 204 (a page
#: reload; the graph has no self-edges). ``CREATED`` is seed 000's example: it never moves a
#: charge, it only confirms one is still created (decisions.md).
STATUS_UPDATES = {
    S.ENTERING_CARD_DETAILS.value: (S.CREATED, S.ENTERING_CARD_DETAILS),
    S.CREATED.value: (S.CREATED,),
}


@router.put("/status", status_code=204)
async def start_entering_card_details(charge_id: str, body: JsonObject, session: SessionDep) -> Response:
    """``{"new_status": "ENTERING CARD DETAILS"}``: the payer opened the card details page."""
    new_status = body_as(StatusChangeRequest, body, InvalidNewStatus()).new_status
    if new_status not in STATUS_UPDATES:
        raise InvalidNewStatus()
    charge = await repository.lock_charge(session, charge_id)
    if charge is None or charge.status not in STATUS_UPDATES[new_status]:
        raise CannotUpdateStatus(charge_id, new_status)
    if charge.status != new_status:
        await transition(session, charge, S(new_status))
    return Response(status_code=204)


def _patch_parameters(body: dict[str, Any]) -> str:
    # The original prints the patch as a Java map: {op=replace, path=email, value=...}.
    return "{" + ", ".join(f"{key}={value}" for key, value in body.items()) + "}"


@router.patch("")
async def patch_email(
    charge_id: str, body: JsonObject, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """``{"op": "replace", "path": "email", "value": "..."}``: the payer's email address."""
    patch = body_as(EmailPatch, body, BadRequest(f"Bad patch parameters{_patch_parameters(body)}"))
    if patch.op != "replace" or patch.path != "email" or patch.value is None:
        raise BadRequest(f"Bad patch parameters{_patch_parameters(body)}")
    if len(patch.value) > 254:
        raise BadRequest(f"Invalid patch parameters{_patch_parameters(body)}")
    if contains_card_number(patch.value):
        # A card number typed into the email box must not be stored (or echoed) in clear.
        raise BadRequest("Invalid patch parameters: the email address holds a card number")
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
    card = body_as(CardAuthorisationRequest, body, InvalidCardDetails())
    outcome = await authorise(sessionmaker, settings, charge_id, card)
    if outcome.error is not None:
        raise outcome.error
    return {"status": outcome.status.value}


@router.post("/3ds")
async def authorise_three_ds(
    charge_id: str, body: JsonObject, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> JSONResponse:
    """The issuer's 3DS answer, relayed by the payment pages (connector.md §8.3)."""
    request = body_as(ThreeDsRequest, body, BadRequest("Values do not match expected format/length."))
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
async def cancel_by_user(charge_id: str, sessionmaker: SessionmakerDep, settings: SettingsDep) -> Response:
    """The payer pressed "cancel payment" (connector.md §9.1). While the card is being authorised
    the cancel waits for the outcome (and voids it): 202 if it is still not known after
    ``cancel_wait_for_authorisation_seconds``, the cancel then completes without the payer."""
    try:
        status = await cancel_charge(
            sessionmaker, charge_id, USER_CANCEL, wait_seconds=settings.cancel_wait_for_authorisation_seconds
        )
    except CancelRefused as refused:
        if refused.reason == "in_progress":
            raise OperationInProgress(USER_CANCEL.name, charge_id) from None
        raise ChargeNotInCorrectState(charge_id) from None
    if status is None:
        raise ChargeNotFound(charge_id)
    if status in AUTHORISING:
        raise OperationInProgress(USER_CANCEL.name, charge_id)
    if status not in USER_CANCEL.statuses:  # the authorisation was declined or failed meanwhile
        raise ChargeNotInCorrectState(charge_id)
    return Response(status_code=204)
