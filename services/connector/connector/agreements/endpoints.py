"""HTTP endpoints of the agreements feature (connector.md §11.1).

The two reads are ours (connector has none upstream: ledger owns them); publicapi reads
agreements through them because this clone has no ledger (docs/decisions.md).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from connector.accounts.dependencies import AccountDep
from connector.agreements import service
from connector.agreements.schemas import AgreementCancelRequest, AgreementCreateRequest, created_view
from connector.agreements.state import AgreementStatus
from connector.errors import BadRequest
from connector.postgres import SessionDep

router = APIRouter(tags=["agreements"])
AGREEMENTS = "/v1/api/accounts/{account_id}/agreements"
MAX_DISPLAY_SIZE = 500


@router.post(AGREEMENTS, status_code=201)
async def create_agreement(
    account: AccountDep, body: AgreementCreateRequest, session: SessionDep
) -> JSONResponse:
    agreement = await service.create_agreement(session, account, body)
    return JSONResponse(created_view(agreement), status_code=201)


@router.post(AGREEMENTS + "/{agreement_id}/cancel", status_code=204)
async def cancel_agreement(
    account: AccountDep, agreement_id: str, session: SessionDep, body: AgreementCancelRequest | None = None
) -> Response:
    await service.cancel_agreement(session, account, agreement_id, body)
    return Response(status_code=204)


@router.get(AGREEMENTS + "/{agreement_id}")
async def get_agreement(account: AccountDep, agreement_id: str, session: SessionDep) -> dict[str, Any]:
    return await service.get_agreement(session, account, agreement_id)


def _status(value: str | None) -> AgreementStatus | None:
    """Either case: publicapi forwards the public lower-case status, as it did to ledger."""
    if value is None:
        return None
    try:
        return AgreementStatus(value.upper())
    except ValueError:
        raise BadRequest(f"Invalid status [{value}]") from None


@router.get(AGREEMENTS)
async def search_agreements(
    account: AccountDep,
    session: SessionDep,
    status: Annotated[str | None, Query()] = None,
    reference: Annotated[str | None, Query(max_length=255)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    display_size: Annotated[int, Query(ge=1, le=MAX_DISPLAY_SIZE)] = MAX_DISPLAY_SIZE,
) -> dict[str, Any]:
    return await service.search_agreements(
        session, account, status=_status(status), reference=reference, page=page, display_size=display_size
    )
