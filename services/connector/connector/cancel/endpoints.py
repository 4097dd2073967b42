"""Service cancel (connector.md §9.1): by account id, or by service id and account type."""

from __future__ import annotations

from fastapi import APIRouter, Response

from connector.accounts.dependencies import ACCOUNT_CHARGE_PATH, SERVICE_CHARGE_PATH
from connector.accounts.service import service_account_id
from connector.cancel.service import SYSTEM_CANCEL, CancelRefused, cancel_charge
from connector.charges.errors import CancelConflict, CannotCancel, ChargeNotFound, OperationInProgress
from connector.postgres import SessionmakerDep

router = APIRouter()


@router.post(f"{ACCOUNT_CHARGE_PATH}/cancel", status_code=204)
async def cancel_by_service(account_id: str, charge_id: str, sessionmaker: SessionmakerDep) -> Response:
    """204 done; 202 already cancelling; 400 finished; 409 mid-authorisation; 404 not this account's."""
    try:
        status = await cancel_charge(sessionmaker, charge_id, SYSTEM_CANCEL, account_id=account_id)
    except CancelRefused as refused:
        if refused.reason == "in_progress":
            raise OperationInProgress(SYSTEM_CANCEL.name, charge_id) from None
        if refused.reason == "authorising":
            raise CancelConflict(charge_id) from None
        raise CannotCancel(refused.status.value) from None
    if status is None:
        raise ChargeNotFound(charge_id)
    return Response(status_code=204)


@router.post(f"{SERVICE_CHARGE_PATH}/cancel", status_code=204)
async def cancel_by_service_and_type(
    service_id: str, account_type: str, charge_id: str, sessionmaker: SessionmakerDep
) -> Response:
    account_id = await service_account_id(sessionmaker, service_id, account_type)
    return await cancel_by_service(str(account_id), charge_id, sessionmaker)
