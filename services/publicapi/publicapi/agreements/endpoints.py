"""``/v1/agreements``: create, search, get and cancel recurring-payment agreements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse

from publicapi.agreements import service
from publicapi.agreements.schemas import AGREEMENT_STATUSES, CreateAgreementRequest, parse_agreement_request
from publicapi.auth.dependencies import AuthDep
from publicapi.connector_client.client import ConnectorDep
from publicapi.openapi import operation
from publicapi.payments.presenter import BaseUrlDep
from publicapi.search.schemas import AGREEMENT_CHECKS, present, validate
from publicapi.validation import parse_json_object

router = APIRouter(prefix="/v1/agreements", tags=["Agreements"])
OptionalText = Annotated[str | None, Query()]


@router.post(
    "",
    status_code=201,
    **operation("Create an agreement", 400, 401, 422, 429, 500, body=CreateAgreementRequest),
)
async def create_agreement(request: Request, auth: AuthDep, connector: ConnectorDep) -> JSONResponse:
    body = parse_agreement_request(parse_json_object(await request.body(), "P2197"))
    agreement = await service.create_agreement(connector, auth.account_id, body)
    return JSONResponse(agreement, status_code=201)


@router.get("", **operation("Search agreements", 401, 404, 422, 429, 500))
async def search_agreements(
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    reference: OptionalText = None,
    status: Annotated[str | None, Query(json_schema_extra={"enum": list(AGREEMENT_STATUSES)})] = None,
    page: OptionalText = None,
    display_size: OptionalText = None,
) -> JSONResponse:
    params = present({"reference": reference, "status": status, "page": page, "display_size": display_size})
    validate(params, AGREEMENT_CHECKS, "P2401")
    result = await service.search_agreements(connector, auth.account_id, params, base_url=base_url)
    return JSONResponse(result)


@router.get("/{agreementId}", **operation("Get an agreement", 401, 404, 429, 500))
async def get_agreement(agreementId: str, auth: AuthDep, connector: ConnectorDep) -> JSONResponse:
    return JSONResponse(await service.get_agreement(connector, auth.account_id, agreementId))


@router.post(
    "/{agreementId}/cancel", status_code=204, **operation("Cancel an agreement", 400, 401, 404, 429, 500)
)
async def cancel_agreement(agreementId: str, auth: AuthDep, connector: ConnectorDep) -> Response:
    await service.cancel_agreement(connector, auth.account_id, agreementId)
    return Response(status_code=204)
