"""The webhook admin API's rules: create, read, list, PATCH and signing keys."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.config import Settings
from webhooks.ids import new_webhooks_id
from webhooks.models import EventTypeName, Webhook, WebhookStatus
from webhooks.resolver import Resolver
from webhooks.webhook import repository
from webhooks.webhook.callback_url import check_callback_url, resolves_only_to_public_addresses
from webhooks.webhook.errors import BadListQuery, BadPatchValue, CallbackUrlError, WebhookNotFound
from webhooks.webhook.schemas import CreateWebhookRequest, PatchOperation
from webhooks.webhook.signing_keys import SigningKeyCipher, new_signing_key

#: Seconds a name look-up may take when a callback URL is checked on create or PATCH.
RESOLVE_TIMEOUT_SECONDS = 2.0


def cipher_of(settings: Settings) -> SigningKeyCipher:
    return _cipher(settings.signing_key_encryption_secret.get_secret_value())


@lru_cache(maxsize=4)
def _cipher(secret: str) -> SigningKeyCipher:
    # Built once per secret: every delivery attempt decrypts a key with it.
    return SigningKeyCipher(secret)


async def validate_callback_url(
    callback_url: str, *, live: bool, settings: Settings, resolver: Resolver
) -> None:
    policy = settings.effective_callback_url_policy
    check_callback_url(callback_url, live=live, policy=policy, allow_domains=settings.live_data_allow_domains)
    if policy == "strict":
        parts = urlsplit(callback_url)
        public = await resolves_only_to_public_addresses(
            parts.hostname or "", parts.port or 443, resolver, timeout=RESOLVE_TIMEOUT_SECONDS
        )
        if not public:
            raise CallbackUrlError(
                "CALLBACK_URL_NOT_PUBLIC", "Callback URL host must not resolve to a private or local address"
            )


async def create_webhook(
    session: AsyncSession, request: CreateWebhookRequest, settings: Settings, resolver: Resolver
) -> Webhook:
    await validate_callback_url(request.callback_url, live=request.live, settings=settings, resolver=resolver)
    webhook = Webhook(
        external_id=new_webhooks_id(),
        signing_key_encrypted=cipher_of(settings).encrypt(new_signing_key(live=request.live)),
        service_id=request.service_id,
        gateway_account_id=request.gateway_account_id,
        live=request.live,
        callback_url=request.callback_url,
        description=request.description,
        status=WebhookStatus.ACTIVE,
    )
    repository.replace_subscriptions(webhook, [name.value for name in request.subscriptions])
    return await repository.add(session, webhook)


async def get_webhook(
    session: AsyncSession,
    external_id: str,
    *,
    service_id: str | None,
    gateway_account_id: str | None,
    override: bool = False,
) -> Webhook:
    if not override and (service_id is None or gateway_account_id is None):
        raise BadListQuery("service_id and gateway_account_id are required")
    webhook = await repository.get(
        session,
        external_id,
        service_id=None if override else service_id,
        gateway_account_id=None if override else gateway_account_id,
    )
    if webhook is None:
        raise WebhookNotFound()
    return webhook


async def list_webhooks(
    session: AsyncSession,
    *,
    live: bool,
    service_id: str | None,
    gateway_account_id: str | None,
    override: bool,
) -> Sequence[Webhook]:
    if override and (service_id is not None or gateway_account_id is not None):
        raise BadListQuery(
            "service_id and gateway_account_id cannot be given with override_service_id_restriction"
        )
    if not override and (service_id is None or gateway_account_id is None):
        raise BadListQuery(
            "service_id and gateway_account_id are required unless override_service_id_restriction"
        )
    return await repository.list_webhooks(
        session, live=live, service_id=service_id, gateway_account_id=gateway_account_id
    )


def _string(operation: PatchOperation) -> str:
    if not isinstance(operation.value, str):
        raise BadPatchValue(f"Value for path [{operation.path}] must be a string")
    return operation.value


def _subscriptions(operation: PatchOperation) -> list[str]:
    allowed = {name.value for name in EventTypeName}
    value = operation.value
    if not isinstance(value, list) or not all(isinstance(item, str) and item in allowed for item in value):
        raise BadPatchValue(f"Value for path [{operation.path}] must be an array of event type names")
    return list(value)


async def patch_webhook(
    session: AsyncSession,
    webhook: Webhook,
    operations: Sequence[PatchOperation],
    settings: Settings,
    resolver: Resolver,
) -> Webhook:
    """Apply every operation or none (each is checked before the row changes)."""
    changes: dict[str, Any] = {}
    for operation in operations:
        path = operation.path.lstrip("/")
        if path == "description":
            changes["description"] = _string(operation)
        elif path == "callback_url":
            url = _string(operation)
            await validate_callback_url(url, live=webhook.live, settings=settings, resolver=resolver)
            changes["callback_url"] = url
        elif path == "status":
            status = _string(operation)
            if status not in (WebhookStatus.ACTIVE, WebhookStatus.INACTIVE):
                raise BadPatchValue("Value for path [status] must be ACTIVE or INACTIVE")
            changes["status"] = status
        elif path == "subscriptions":
            changes["subscriptions"] = _subscriptions(operation)
        else:
            raise BadPatchValue(f"Operation [{operation.op}] not supported for path [{operation.path}]")
    for name, value in changes.items():
        if name == "subscriptions":
            repository.replace_subscriptions(webhook, value)
        else:
            setattr(webhook, name, value)
    await session.flush()
    return webhook


def signing_key_of(webhook: Webhook, settings: Settings) -> str:
    return cipher_of(settings).decrypt(webhook.signing_key_encrypted)


async def regenerate_signing_key(session: AsyncSession, webhook: Webhook, settings: Settings) -> str:
    """Replace the key at once: retries still queued are signed with the new one (§A3)."""
    key = new_signing_key(live=webhook.live)
    webhook.signing_key_encrypted = cipher_of(settings).encrypt(key)
    await session.flush()
    return key
