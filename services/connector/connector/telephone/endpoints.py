"""``POST /v1/api/accounts/{accountId}/telephone-charges`` (connector.md §10)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse

from connector.accounts.service import get_service_account
from connector.postgres import SessionDep
from connector.telephone import service
from connector.telephone.schemas import parse_telephone_request

router = APIRouter(tags=["telephone"])


@router.post("/v1/api/accounts/{account_id}/telephone-charges", status_code=201)
async def create_telephone_charge(
    account_id: str, body: Annotated[dict[str, Any], Body()], session: SessionDep
) -> JSONResponse:
    request = parse_telephone_request(body)
    charge, created = await service.record_telephone_charge(session, account_id, request)
    return JSONResponse(service.telephone_json(charge), status_code=201 if created else 200)


@router.post("/v1/api/service/{service_id}/account/{account_type}/telephone-charges", status_code=201)
async def create_service_telephone_charge(
    service_id: str, account_type: str, body: Annotated[dict[str, Any], Body()], session: SessionDep
) -> JSONResponse:
    """The same notification, the account named by its service and type (connector.md §10)."""
    request = parse_telephone_request(body)
    account = await get_service_account(session, service_id, account_type)
    charge, created = await service.record_telephone_charge(session, str(account.id), request)
    return JSONResponse(service.telephone_json(charge), status_code=201 if created else 200)
