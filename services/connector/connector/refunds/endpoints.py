"""HTTP endpoints of the refunds feature (seed 001, connector.md §3.3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from connector.accounts.dependencies import ACCOUNT_CHARGE_PATH, SERVICE_CHARGE_PATH, AccountDep
from connector.accounts.service import service_account_id
from connector.charges.dependencies import ChargeDep
from connector.dependencies import SettingsDep
from connector.postgres import SessionDep, SessionmakerDep
from connector.refunds import errors, repository, service
from connector.refunds.schemas import RefundRequest, charge_href, refund_view

router = APIRouter(tags=["refunds"])
ACCOUNT_REFUNDS = f"{ACCOUNT_CHARGE_PATH}/refunds"


@router.post(ACCOUNT_REFUNDS, status_code=202)
async def submit_refund(
    account_id: str, charge_id: str, body: RefundRequest, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> JSONResponse:
    refund = await service.submit_refund(sessionmaker, account_id, charge_id, body)
    return JSONResponse(refund_view(settings.base_url, int(account_id), refund), status_code=202)


@router.post(f"{SERVICE_CHARGE_PATH}/refunds", status_code=202)
async def submit_service_refund(
    service_id: str,
    account_type: str,
    charge_id: str,
    body: RefundRequest,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
) -> JSONResponse:
    """The same refund, the account named by its service and type (connector.md §3.3)."""
    account_id = await service_account_id(sessionmaker, service_id, account_type)
    refund = await service.submit_refund(sessionmaker, str(account_id), charge_id, body)
    return JSONResponse(refund_view(settings.base_url, account_id, refund), status_code=202)


@router.get(ACCOUNT_REFUNDS)
async def list_refunds(
    account: AccountDep, charge: ChargeDep, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    charge_id = charge.external_id
    refunds = await repository.refunds_of_charge(session, charge_id)
    payment = charge_href(settings.base_url, account.id, charge_id)
    return {
        "payment_id": charge_id,
        "_links": {"self": {"href": f"{payment}/refunds"}, "payment": {"href": payment}},
        "_embedded": {"refunds": [refund_view(settings.base_url, account.id, refund) for refund in refunds]},
    }


@router.get(ACCOUNT_REFUNDS + "/{refund_id}")
async def get_refund(
    account: AccountDep, charge: ChargeDep, refund_id: str, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    refund = await repository.get_refund(session, charge.external_id, refund_id)
    if refund is None:
        raise errors.refund_not_found(refund_id)
    return refund_view(settings.base_url, account.id, refund)
