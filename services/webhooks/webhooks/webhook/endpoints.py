"""``/v1/webhook``: the internal admin API (§A4 "Admin API")."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from webhooks.dependencies import ResolverDep, SettingsDep
from webhooks.models import Webhook
from webhooks.postgres import SessionDep
from webhooks.webhook import service
from webhooks.webhook.schemas import CreateWebhookRequest, PatchOperation, SigningKeyResponse, webhook_view

router = APIRouter(prefix="/v1/webhook", tags=["webhooks"])

ServiceIdQuery = Annotated[str | None, Query(max_length=32)]
AccountIdQuery = Annotated[str | None, Query(max_length=255)]


async def owned_webhook(
    webhook_id: str,
    session: SessionDep,
    service_id: Annotated[str, Query(max_length=32)],
    gateway_account_id: Annotated[str, Query(max_length=255)],
) -> Webhook:
    """The webhook of the path, found only by its own service and gateway account (PATCH, keys)."""
    return await service.get_webhook(
        session, webhook_id, service_id=service_id, gateway_account_id=gateway_account_id
    )


OwnedWebhookDep = Annotated[Webhook, Depends(owned_webhook)]


@router.post("")
async def create_webhook(
    request: CreateWebhookRequest, session: SessionDep, settings: SettingsDep, resolver: ResolverDep
) -> dict[str, Any]:
    return webhook_view(await service.create_webhook(session, request, settings, resolver))


@router.get("")
async def list_webhooks(
    session: SessionDep,
    live: Annotated[bool, Query()],
    service_id: ServiceIdQuery = None,
    gateway_account_id: AccountIdQuery = None,
    override_service_id_restriction: bool = False,
) -> list[dict[str, Any]]:
    webhooks = await service.list_webhooks(
        session,
        live=live,
        service_id=service_id,
        gateway_account_id=gateway_account_id,
        override=override_service_id_restriction,
    )
    return [webhook_view(webhook) for webhook in webhooks]


@router.get("/{webhook_id}")
async def get_webhook(
    webhook_id: str,
    session: SessionDep,
    service_id: ServiceIdQuery = None,
    gateway_account_id: AccountIdQuery = None,
    override_account_or_service_id_restriction: bool = False,
) -> dict[str, Any]:
    webhook = await service.get_webhook(
        session,
        webhook_id,
        service_id=service_id,
        gateway_account_id=gateway_account_id,
        override=override_account_or_service_id_restriction,
    )
    return webhook_view(webhook)


@router.patch("/{webhook_id}")
async def patch_webhook(
    webhook: OwnedWebhookDep,
    operations: Annotated[list[PatchOperation], Body()],
    session: SessionDep,
    settings: SettingsDep,
    resolver: ResolverDep,
) -> dict[str, Any]:
    return webhook_view(await service.patch_webhook(session, webhook, operations, settings, resolver))


@router.get("/{webhook_id}/signing-key")
async def get_signing_key(webhook: OwnedWebhookDep, settings: SettingsDep) -> SigningKeyResponse:
    return SigningKeyResponse(signing_key=service.signing_key_of(webhook, settings))


@router.post("/{webhook_id}/signing-key")
async def regenerate_signing_key(
    webhook: OwnedWebhookDep, session: SessionDep, settings: SettingsDep
) -> SigningKeyResponse:
    return SigningKeyResponse(signing_key=await service.regenerate_signing_key(session, webhook, settings))
