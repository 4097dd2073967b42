"""HTTP endpoints of gateway accounts (seeds 000/001, connector.md §14).

Every "200 {}" of the seeds answers an empty JSON object.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from connector.accounts import service
from connector.accounts.dependencies import JsonBody, JsonObject
from connector.accounts.schemas import (
    created_view,
    parse_account_patch,
    parse_create,
    parse_filters,
    parse_stripe_setup,
    self_link,
)
from connector.dependencies import SettingsDep
from connector.errors import BadRequest
from connector.postgres import SessionDep

router = APIRouter(tags=["accounts"])

OK: dict[str, Any] = {}


@router.post("/v1/api/accounts", status_code=201)
async def create_account(
    body: JsonObject,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    degatewayification: bool = False,
) -> dict[str, Any]:
    request = parse_create(body)
    account, provider = await service.create_account(session, request, degatewayification=degatewayification)
    response.headers["Location"] = self_link(settings.base_url, account.id)
    return created_view(account, provider, settings.base_url)


async def _search(request: Request, session: SessionDep, base_url: str, *, frontend: bool) -> dict[str, Any]:
    columns, provider_filters, errors = parse_filters(request.query_params)
    if errors:
        raise BadRequest(errors)
    accounts = await service.search_accounts(
        session, columns, provider_filters, base_url=base_url, frontend=frontend
    )
    return {"accounts": accounts}


@router.get("/v1/api/accounts")
async def list_accounts(request: Request, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return await _search(request, session, settings.base_url, frontend=False)


@router.get("/v1/frontend/accounts")
async def list_frontend_accounts(
    request: Request, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    return await _search(request, session, settings.base_url, frontend=True)


async def _one(session: SessionDep, account_id: str, base_url: str, *, frontend: bool) -> dict[str, Any]:
    account = await service.get_account(session, account_id)
    [view] = await service.account_views(session, [account], base_url=base_url, frontend=frontend)
    return view


@router.get("/v1/api/accounts/{account_id}")
async def get_account(account_id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return await _one(session, account_id, settings.base_url, frontend=False)


@router.get("/v1/frontend/accounts/{account_id}")
async def get_frontend_account(account_id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return await _one(session, account_id, settings.base_url, frontend=True)


@router.get("/v1/frontend/accounts/external-id/{external_id}")
async def get_frontend_account_by_external_id(
    external_id: str, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    account = await service.get_account_by_external_id(session, external_id)
    [view] = await service.account_views(session, [account], base_url=settings.base_url, frontend=True)
    return view


@router.get("/v1/api/service/{service_id}/account/{account_type}")
async def get_service_account(
    service_id: str, account_type: str, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    account = await service.get_service_account(session, service_id, account_type)
    [view] = await service.account_views(session, [account], base_url=settings.base_url)
    return view


@router.patch("/v1/api/service/{service_id}/account/{account_type}")
async def patch_service_account(
    service_id: str, account_type: str, body: JsonBody, session: SessionDep
) -> dict[str, Any]:
    account = await service.get_service_account(session, service_id, account_type)
    await service.patch_account(session, str(account.id), parse_account_patch(body))
    return OK


@router.patch("/v1/api/accounts/{account_id}")
async def patch_account(account_id: str, body: JsonBody, session: SessionDep) -> dict[str, Any]:
    await service.get_account(session, account_id)  # unknown account → 404 before validation
    await service.patch_account(session, account_id, parse_account_patch(body))
    return OK


@router.get("/v1/api/accounts/{account_id}/email-notification")
async def get_email_notification(account_id: str, session: SessionDep) -> dict[str, Any]:
    return await service.email_notification(session, account_id)


@router.post("/v1/api/accounts/{account_id}/email-notification")
async def post_email_notification(account_id: str, body: JsonObject, session: SessionDep) -> dict[str, Any]:
    await service.set_custom_email_text(session, account_id, body)
    return OK


@router.patch("/v1/api/accounts/{account_id}/email-notification")
async def patch_email_notification(account_id: str, body: JsonBody, session: SessionDep) -> dict[str, Any]:
    await service.patch_email_notification(session, account_id, body)
    return OK


@router.patch("/v1/api/accounts/{account_id}/description-analytics-id")
async def patch_description_analytics_id(
    account_id: str, body: JsonObject, session: SessionDep
) -> dict[str, Any]:
    await service.update_description_analytics(session, account_id, body)
    return OK


@router.put("/v1/frontend/accounts/{account_id}")
async def put_credentials(account_id: str, body: JsonObject, session: SessionDep) -> dict[str, Any]:
    await service.put_credentials(session, account_id, body)
    return OK


@router.patch("/v1/frontend/accounts/{account_id}/servicename")
async def patch_service_name(account_id: str, body: JsonObject, session: SessionDep) -> dict[str, Any]:
    await service.update_service_name(session, account_id, body)
    return OK


@router.patch("/v1/frontend/accounts/{account_id}/3ds-toggle")
async def patch_3ds_toggle(account_id: str, body: JsonObject, session: SessionDep) -> dict[str, Any]:
    await service.toggle_3ds(session, account_id, body)
    return OK


@router.get("/v1/api/accounts/{account_id}/stripe-setup")
async def get_stripe_setup(account_id: str, session: SessionDep) -> dict[str, bool]:
    return await service.stripe_setup(session, account_id)


@router.post("/v1/api/accounts/{account_id}/stripe-setup")
async def post_stripe_setup(account_id: str, body: JsonBody, session: SessionDep) -> dict[str, Any]:
    await service.get_account(session, account_id)
    changes = parse_stripe_setup(body, service.STRIPE_SETUP_TASKS)
    await service.update_stripe_setup(session, account_id, changes)
    return OK


@router.get("/v1/api/accounts/{account_id}/stripe-account")
async def get_stripe_account(account_id: str, session: SessionDep) -> dict[str, str]:
    return {"stripe_account_id": await service.stripe_account_id(session, account_id)}
