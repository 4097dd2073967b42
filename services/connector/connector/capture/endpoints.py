"""Delayed capture (connector.md §8.6): by account id, or by service id and account type."""

from __future__ import annotations

from fastapi import APIRouter, Response

from connector.accounts.dependencies import ACCOUNT_CHARGE_PATH, SERVICE_CHARGE_PATH
from connector.accounts.service import get_service_account
from connector.capture.service import approve_by_service
from connector.postgres import SessionDep

router = APIRouter()


@router.post(f"{ACCOUNT_CHARGE_PATH}/capture", status_code=204)
async def capture_delayed(account_id: str, charge_id: str, session: SessionDep) -> Response:
    """204 when approved (or already capturing/captured), 404 unknown, 409 any other status."""
    await approve_by_service(session, account_id, charge_id)
    return Response(status_code=204)


@router.post(f"{SERVICE_CHARGE_PATH}/capture", status_code=204)
async def capture_delayed_by_service(
    service_id: str, account_type: str, charge_id: str, session: SessionDep
) -> Response:
    account = await get_service_account(session, service_id, account_type)
    return await capture_delayed(str(account.id), charge_id, session)
