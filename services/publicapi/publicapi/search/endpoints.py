"""``GET /v1/payments``, ``GET /v1/refunds`` and ``GET /v1/disputes``: searches with every
parameter of the contract."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from publicapi.auth.dependencies import AuthDep
from publicapi.connector_client.client import ConnectorDep
from publicapi.openapi import operation
from publicapi.payments.presenter import BaseUrlDep
from publicapi.search import service
from publicapi.search.schemas import present

router = APIRouter()

NO_CACHE = {"Pragma": "no-cache", "Cache-Control": "no-store"}
OptionalText = Annotated[str | None, Query()]


@router.get("/v1/payments", tags=["Card payments"], **operation("Search payments", 401, 422, 429, 500))
async def search_payments(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    reference: OptionalText = None,
    email: OptionalText = None,
    state: OptionalText = None,
    card_brand: OptionalText = None,
    from_date: OptionalText = None,
    to_date: OptionalText = None,
    page: OptionalText = None,
    display_size: OptionalText = None,
    cardholder_name: OptionalText = None,
    first_digits_card_number: OptionalText = None,
    last_digits_card_number: OptionalText = None,
    from_settled_date: OptionalText = None,
    to_settled_date: OptionalText = None,
    agreement_id: OptionalText = None,
) -> JSONResponse:
    params = present(
        {
            "reference": reference,
            "email": email,
            "state": state,
            "card_brand": card_brand,
            "from_date": from_date,
            "to_date": to_date,
            "page": page,
            "display_size": display_size,
            "cardholder_name": cardholder_name,
            "first_digits_card_number": first_digits_card_number,
            "last_digits_card_number": last_digits_card_number,
            "from_settled_date": from_settled_date,
            "to_settled_date": to_settled_date,
            "agreement_id": agreement_id,
        }
    )
    result = await service.search_payments(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result, headers=NO_CACHE)


@router.get("/v1/refunds", tags=["Refunding card payments"], **operation("Search refunds", 401, 422, 500))
async def search_refunds(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    from_date: OptionalText = None,
    to_date: OptionalText = None,
    from_settled_date: OptionalText = None,
    to_settled_date: OptionalText = None,
    page: OptionalText = None,
    display_size: OptionalText = None,
) -> JSONResponse:
    params = present(
        {
            "from_date": from_date,
            "to_date": to_date,
            "from_settled_date": from_settled_date,
            "to_settled_date": to_settled_date,
            "page": page,
            "display_size": display_size,
        }
    )
    result = await service.search_refunds(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result)


@router.get("/v1/disputes", tags=["Disputes"], **operation("Search disputes", 401, 422, 429, 500))
async def search_disputes(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    from_date: OptionalText = None,
    to_date: OptionalText = None,
    from_settled_date: OptionalText = None,
    to_settled_date: OptionalText = None,
    status: OptionalText = None,
    page: OptionalText = None,
    display_size: OptionalText = None,
) -> JSONResponse:
    params = present(
        {
            "from_date": from_date,
            "to_date": to_date,
            "from_settled_date": from_settled_date,
            "to_settled_date": to_settled_date,
            "status": status,
            "page": page,
            "display_size": display_size,
        }
    )
    result = await service.search_disputes(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result, headers=NO_CACHE)
