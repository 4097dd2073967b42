"""``GET /v1/payments``, ``GET /v1/refunds`` and ``GET /v1/disputes``: searches with every
parameter of the contract."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from publicapi.auth.dependencies import AuthDep
from publicapi.connector_client.client import ConnectorDep
from publicapi.openapi import operation
from publicapi.payments.presenter import BaseUrlDep
from publicapi.search import service
from publicapi.search.schemas import Params, present

router = APIRouter()

NO_CACHE = {"Pragma": "no-cache", "Cache-Control": "no-store"}


def query_texts(*names: str) -> Callable[..., Awaitable[Params]]:
    """A dependency declaring each named query parameter as an optional string (in this order in
    the OpenAPI document, as the contract lists them) and giving the non-blank ones by name: each
    search names its parameters once, and validates them in its service."""

    async def read(**values: str | None) -> Params:  # async: a sync dependency would take a thread
        return present(values)

    parameter = partial(inspect.Parameter, kind=inspect.Parameter.KEYWORD_ONLY, default=None)
    read.__signature__ = inspect.Signature(  # type: ignore[attr-defined]  # FastAPI reads it
        [parameter(name, annotation=Annotated[str | None, Query()]) for name in names]
    )
    return read


PAYMENT_PARAMS = query_texts(
    "reference",
    "email",
    "state",
    "card_brand",
    "from_date",
    "to_date",
    "page",
    "display_size",
    "cardholder_name",
    "first_digits_card_number",
    "last_digits_card_number",
    "from_settled_date",
    "to_settled_date",
    "agreement_id",
)
_DATES = ("from_date", "to_date", "from_settled_date", "to_settled_date")
REFUND_PARAMS = query_texts(*_DATES, "page", "display_size")
DISPUTE_PARAMS = query_texts(*_DATES, "status", "page", "display_size")


@router.get("/v1/payments", tags=["Card payments"], **operation("Search payments", 401, 422, 429, 500))
async def search_payments(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    params: Annotated[Params, Depends(PAYMENT_PARAMS)],
) -> JSONResponse:
    result = await service.search_payments(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result, headers=NO_CACHE)


@router.get("/v1/refunds", tags=["Refunding card payments"], **operation("Search refunds", 401, 422, 500))
async def search_refunds(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    params: Annotated[Params, Depends(REFUND_PARAMS)],
) -> JSONResponse:
    result = await service.search_refunds(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result)


@router.get("/v1/disputes", tags=["Disputes"], **operation("Search disputes", 401, 422, 429, 500))
async def search_disputes(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    params: Annotated[Params, Depends(DISPUTE_PARAMS)],
) -> JSONResponse:
    result = await service.search_disputes(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result, headers=NO_CACHE)
