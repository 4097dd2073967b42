"""HTTP endpoints of the charges feature: create, the API and frontend views, and the events list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from connector.charges import service
from connector.charges.dependencies import ChargeDep
from connector.charges.schemas import validate_charge_request
from connector.dependencies import SettingsDep
from connector.postgres import SessionDep
from connector.recurring import service as recurring_service

router = APIRouter()


@router.post("/v1/api/accounts/{account_id}/charges", status_code=201)
async def create_charge(
    account_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    creation = await _read_creation(request, settings)
    created = await service.create_charge(session, account_id=account_id, creation=creation)
    return await _created(session, settings, created)


async def _read_creation(request: Request, settings: SettingsDep) -> service.ChargeCreation:
    """A create request: its body, its Idempotency-Key and the setting on card numbers in references.

    The body is read raw: a malformed or mistyped body is 400 and a rule violation 422 (§4.1),
    which FastAPI's own body validation cannot tell apart."""
    key = request.headers.get("Idempotency-Key")
    return service.ChargeCreation(
        validate_charge_request(await request.body(), key),
        idempotency_key=key,
        reject_card_number_reference=settings.reject_card_number_in_payment_link_reference,
    )


async def _created(
    session: SessionDep, settings: SettingsDep, created: service.CreatedCharge
) -> JSONResponse:
    """201 with the new charge's view and its ``Location``; an Idempotency-Key replay is 200 with
    the first charge's view and no ``Location`` (connector.md §4.4)."""
    if created.replayed:
        body = await service.build_charge_response(session, settings, created.charge)
        return JSONResponse(body, status_code=200)
    body = await service.build_charge_response(
        session, settings, created.charge, just_created=True, token=created.token
    )
    # Queued after the body is built, as upstream: the 201 shows the payment ``created`` (§4.2 step 15).
    await recurring_service.queue_agreement_payment(session, created.charge)
    return JSONResponse(
        body, status_code=201, headers={"Location": service.charge_self_url(settings, created.charge)}
    )


@router.get("/v1/api/accounts/{account_id}/charges/{charge_id}")
async def get_charge(charge: ChargeDep, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    token = await service.issue_next_token(session, charge)
    return await service.build_charge_response(session, settings, charge, token=token)


@router.get("/v1/api/accounts/{account_id}/charges/{charge_id}/events")
async def get_charge_events(charge: ChargeDep, session: SessionDep) -> dict[str, Any]:
    return await service.build_events_response(session, charge)


@router.get("/v1/frontend/charges/{charge_id}")
async def get_frontend_charge(charge_id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    charge = await service.get_charge(session, charge_id)
    return await service.build_frontend_charge_response(session, settings, charge)


@router.post("/v1/api/service/{service_id}/account/{account_type}/charges", status_code=201)
async def create_service_charge(
    service_id: str, account_type: str, request: Request, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    creation = await _read_creation(request, settings)
    created = await service.create_charge_for_service(
        session, service_id=service_id, account_type=account_type, creation=creation
    )
    return await _created(session, settings, created)


@router.get("/v1/api/service/{service_id}/account/{account_type}/charges/{charge_id}")
async def get_service_charge(
    service_id: str, account_type: str, charge_id: str, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    charge = await service.get_charge_for_service(session, service_id, account_type, charge_id)
    token = await service.issue_next_token(session, charge)
    return await service.build_charge_response(session, settings, charge, token=token)
