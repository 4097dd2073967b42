"""Charge search (JSON or CSV) and refund search for one account (seed 001, connector.md §16)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.accounts.dependencies import path_account
from connector.charges.service import charge_views
from connector.dependencies import SettingsDep
from connector.postgres import SessionDep, SessionmakerDep
from connector.refunds.schemas import refund_view
from connector.search import repository, service
from connector.search.schemas import Paging, parse_charge_search, parse_refund_search

router = APIRouter(prefix="/v1/api/accounts/{account_id}", tags=["search"])


def wants_csv(request: Request) -> bool:
    return "text/csv" in request.headers.get("accept", "")


@router.get("/charges", response_model=None)
async def search_charges(
    account_id: str,
    request: Request,
    session: SessionDep,
    sessionmaker: SessionmakerDep,
    settings: SettingsDep,
) -> Response:
    search = parse_charge_search(request.query_params)
    account = await path_account(account_id, session)
    conditions = repository.charge_filters(account.id, search)
    if wants_csv(request):
        # Every matching charge, newest first; paging applies to JSON only.
        return StreamingResponse(
            service.csv_export(sessionmaker, conditions), media_type="text/csv; charset=utf-8"
        )
    await repository.plan_for_these_values(session)
    if repository.has_partial_match(search):
        total, charges = await repository.count_and_page_of_partial_match(session, conditions, search.paging)
        service.check_page_exists(total, search.paging)
        results = await charge_views(session, charges, settings.base_url)
    else:
        total, results = await _counted_page(
            session, sessionmaker, conditions, search.paging, settings.base_url
        )
    href = f"{settings.base_url}/v1/api/accounts/{account.id}/charges"
    return service.json_response(service.page_body(href, search.given, search.paging, total, results))


async def _counted_page(
    session: AsyncSession,
    sessionmaker: async_sessionmaker[AsyncSession],
    conditions: list[ColumnElement[bool]],
    paging: Paging,
    base_url: str,
) -> tuple[int, list[dict[str, Any]]]:
    """``total`` and the page's views, the count running meanwhile on a connection of its own.

    The count (an index-only scan: 7 ms for an account of 47,000 charges) then overlaps with
    reading and building the page instead of adding to it. Both read committed data, each
    statement its own snapshot, as two statements in one session would.
    """
    counting = asyncio.create_task(repository.count_charges_apart(sessionmaker, conditions))
    try:
        charges = await repository.charges_page(session, conditions, paging)
        results = await charge_views(session, charges, base_url)
        total = await counting
    except BaseException:
        counting.cancel()
        await asyncio.gather(counting, return_exceptions=True)
        raise
    service.check_page_exists(total, paging)
    return total, results


@router.get("/refunds", response_model=None)
async def search_refunds(
    account_id: str, request: Request, session: SessionDep, settings: SettingsDep
) -> JSONResponse:
    search = parse_refund_search(request.query_params)
    account = await path_account(account_id, session)
    conditions = repository.refund_filters(account.id, search)
    total = await repository.count_refunds(session, conditions)
    service.check_page_exists(total, search.paging)
    refunds = await repository.refunds_page(session, conditions, search.paging)
    results = []
    for refund in refunds:
        body = refund_view(settings.base_url, account.id, refund)
        results.append({"payment_id": refund.charge_external_id, **body})
    href = f"{settings.base_url}/v1/api/accounts/{account.id}/refunds"
    return JSONResponse(service.page_body(href, search.given, search.paging, total, results))
