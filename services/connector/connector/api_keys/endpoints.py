"""HTTP endpoints of the api_keys feature: publicauth's API (api-keys.md), served by connector."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query

from connector.api_keys import service
from connector.api_keys.schemas import (
    ApiKeyList,
    ApiKeyView,
    CreateApiKeyRequest,
    CreatedApiKey,
    ResolvedApiKey,
    Revoked,
    RevokeRequest,
    TokenState,
    UpdateDescriptionRequest,
    iso,
    view_of,
)
from connector.dependencies import SettingsDep
from connector.postgres import SessionDep

router = APIRouter(tags=["api-keys"])


@router.get("/v1/api/auth", response_model=ResolvedApiKey)
async def resolve_api_key(
    session: SessionDep,
    settings: SettingsDep,
    authorization: Annotated[str | None, Header()] = None,
) -> ResolvedApiKey:
    record = await service.resolve(session, authorization, settings.token_api_hmac_secret.get_secret_value())
    return ResolvedApiKey(
        account_id=str(record.account_id), token_type=record.token_type, token_link=record.token_link
    )


@router.post("/v1/frontend/auth", response_model=CreatedApiKey)
async def create_api_key(
    session: SessionDep, settings: SettingsDep, body: CreateApiKeyRequest | None = None
) -> CreatedApiKey:
    key = await service.issue(session, body, settings.token_api_hmac_secret.get_secret_value())
    return CreatedApiKey(token=key)


@router.get("/v1/frontend/auth/{account_id}", response_model=ApiKeyList, response_model_exclude_unset=True)
async def list_api_keys(
    session: SessionDep, account_id: str, state: Annotated[TokenState, Query()] = "active"
) -> ApiKeyList:
    records = await service.list_keys(session, account_id, revoked=state == "revoked")
    return ApiKeyList(tokens=[view_of(record) for record in records])


@router.put("/v1/frontend/auth", response_model=ApiKeyView, response_model_exclude_unset=True)
async def update_api_key_description(
    session: SessionDep, body: UpdateDescriptionRequest | None = None
) -> ApiKeyView:
    return view_of(await service.describe(session, body))


@router.delete("/v1/frontend/auth/{account_id}", response_model=Revoked)
async def revoke_api_key(session: SessionDep, account_id: str, body: RevokeRequest | None = None) -> Revoked:
    record = await service.revoke(session, account_id, body.token_link if body else None)
    assert record.revoked is not None
    return Revoked(revoked=iso(record.revoked))
