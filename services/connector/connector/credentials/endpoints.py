"""``POST /v1/api/accounts/{id}/credentials`` and ``PATCH .../credentials/{credentialsId}`` (connector.md §14.3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from connector.accounts.dependencies import JsonBody, JsonObject
from connector.accounts.schemas import credential_view
from connector.accounts.service import get_account
from connector.credentials import schemas, service
from connector.postgres import SessionDep

router = APIRouter(tags=["credentials"])


@router.post("/v1/api/accounts/{account_id}/credentials")
async def create_credentials(account_id: str, body: JsonObject, session: SessionDep) -> dict[str, Any]:
    await get_account(session, account_id)
    credential = await service.create_credential(session, account_id, schemas.parse_create(body))
    return credential_view(credential)


@router.patch("/v1/api/accounts/{account_id}/credentials/{credential_id}")
async def patch_credentials(
    account_id: str, credential_id: str, body: JsonBody, session: SessionDep
) -> dict[str, Any]:
    account = await get_account(session, account_id, for_update=True)
    credential = await service.get_credential(session, account, credential_id)
    patches = schemas.parse_patch(body, credential.payment_provider)
    return credential_view(await service.patch_credential(session, account, credential, patches))


@router.post("/v1/api/accounts/{account_id}/worldpay/check-credentials")
async def check_worldpay_credentials(
    account_id: str, body: JsonObject, session: SessionDep
) -> dict[str, str]:
    """Ask Worldpay whether these credentials work: ``{"result": "valid" | "invalid"}``."""
    request = schemas.parse_worldpay_check(body)
    valid = await service.check_worldpay_credentials(session, account_id, request)
    return {"result": "valid" if valid else "invalid"}
