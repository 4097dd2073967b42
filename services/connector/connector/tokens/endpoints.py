"""HTTP endpoints of the tokens feature: what the payment pages do with a secure-redirect token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from connector.charges.service import build_frontend_charge_response
from connector.dependencies import SettingsDep
from connector.postgres import SessionDep
from connector.tokens import repository, service

router = APIRouter(prefix="/v1/frontend/tokens")


@router.get("/{token_id}")
async def get_token(token_id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    # A used token is still answered: the payment pages decide what "used" means.
    token, charge = await service.get_for_payment_pages(session, token_id)
    return {"used": token.used, "charge": await build_frontend_charge_response(session, settings, charge)}


@router.get("/{token_id}/charge")
async def get_token_charge(token_id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    _, charge = await service.get_for_payment_pages(session, token_id)
    return await build_frontend_charge_response(session, settings, charge)


@router.post("/{token_id}/used", status_code=204)
async def mark_token_used(token_id: str, session: SessionDep) -> Response:
    await service.mark_used(session, token_id)
    return Response(status_code=204)


@router.delete("/{token_id}", status_code=204)
async def delete_token(token_id: str, session: SessionDep) -> Response:
    await repository.delete_token(session, token_id)
    return Response(status_code=204)
