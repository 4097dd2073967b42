"""Service cancel (connector.md §9.1): by account id, or by service id and account type."""

from __future__ import annotations

from fastapi import APIRouter, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.accounts.service import get_service_account
from connector.cancel.service import SYSTEM_CANCEL, CancelRefused, cancel_charge
from connector.charges.errors import CancelConflict, CannotCancel, ChargeNotFound, OperationInProgress
from connector.postgres import SessionmakerDep
from pay_common.db.session import unit_of_work

router = APIRouter()


@router.post("/v1/api/accounts/{account_id}/charges/{charge_id}/cancel", status_code=204)
async def cancel_by_service(account_id: str, charge_id: str, sessionmaker: SessionmakerDep) -> Response:
    await _cancel(sessionmaker, account_id, charge_id)
    return Response(status_code=204)


@router.post(
    "/v1/api/service/{service_id}/account/{account_type}/charges/{charge_id}/cancel", status_code=204
)
async def cancel_by_service_and_type(
    service_id: str, account_type: str, charge_id: str, sessionmaker: SessionmakerDep
) -> Response:
    async with unit_of_work(sessionmaker) as session:
        account = await get_service_account(session, service_id, account_type)
    await _cancel(sessionmaker, str(account.id), charge_id)
    return Response(status_code=204)


async def _cancel(sessionmaker: async_sessionmaker[AsyncSession], account_id: str, charge_id: str) -> None:
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
