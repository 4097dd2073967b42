"""``GET /v1/api/accounts/{accountId}/disputes``: the account's disputes, for ``GET /v1/disputes``.

Upstream the public API asks Ledger; we have no Ledger, so connector serves the search with the
paging and validation of its other searches (docs/decisions.md, "Disputes").
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from connector.accounts.dependencies import path_account
from connector.dependencies import SettingsDep
from connector.disputes import repository
from connector.disputes.schemas import dispute_view, provider_statuses
from connector.postgres import SessionDep
from connector.search import service as search
from connector.search.schemas import parse_dispute_search

router = APIRouter(prefix="/v1/api/accounts/{account_id}", tags=["disputes"])


@router.get("/disputes")
async def search_disputes(
    account_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    query = parse_dispute_search(request.query_params)
    account = await path_account(account_id, session)
    conditions = repository.filters(
        account.id,
        statuses=provider_statuses(query.status) if query.status else None,
        from_date=query.from_date,
        to_date=query.to_date,
    )
    total = await repository.count(session, conditions)
    search.check_page_exists(total, query.paging)
    rows = await repository.page(session, conditions, query.paging)
    results = [dispute_view(dispute, payment_id) for dispute, payment_id in rows]
    href = f"{settings.base_url}/v1/api/accounts/{account.id}/disputes"
    return JSONResponse(search.page_body(href, query.given, query.paging, total, results))
