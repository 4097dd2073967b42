"""``/v1/payments``: create, get, events, cancel, capture (publicapi.md §a, §d.2, §e, §g, §i)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from publicapi.auth.dependencies import AuthDep
from publicapi.connector_client.client import ConnectorDep
from publicapi.openapi import operation
from publicapi.payments import service
from publicapi.payments.presenter import BaseUrlDep, payment_url
from publicapi.payments.schemas import (
    CreateCardPaymentRequest,
    parse_create_payment,
    validate_idempotency_key,
)
from publicapi.validation import parse_json_object

router = APIRouter(prefix="/v1/payments", tags=["Card payments"])

NO_CACHE = {"Pragma": "no-cache", "Cache-Control": "no-store"}


@router.post(
    "",
    status_code=201,
    **operation("Create a payment", 400, 401, 422, 429, 500, body=CreateCardPaymentRequest),
)
async def create_payment(
    request: Request,
    base_url: BaseUrlDep,
    auth: AuthDep,
    connector: ConnectorDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    body = parse_json_object(await request.body(), "P0197")
    validate_idempotency_key(idempotency_key)
    charge_request = parse_create_payment(body)
    result = await service.create_payment(
        connector, auth.account_id, charge_request, idempotency_key=idempotency_key, base_url=base_url
    )
    if not result.created:
        # Idempotent replay: the existing payment, 200 and no Location (publicapi.md §g).
        return JSONResponse(result.payment, status_code=200, headers=NO_CACHE)
    location = payment_url(base_url, str(result.payment["payment_id"]))
    return JSONResponse(result.payment, status_code=201, headers={**NO_CACHE, "Location": location})


@router.get("/{paymentId}", **operation("Get a payment", 401, 404, 429, 500))
async def get_payment(
    base_url: BaseUrlDep, paymentId: str, auth: AuthDep, connector: ConnectorDep
) -> JSONResponse:
    payment = await service.get_payment(connector, auth.account_id, paymentId, base_url=base_url)
    return JSONResponse(payment, headers=NO_CACHE)


@router.get("/{paymentId}/events", **operation("Get events for a payment", 401, 404, 429, 500))
async def get_payment_events(
    base_url: BaseUrlDep, paymentId: str, auth: AuthDep, connector: ConnectorDep
) -> JSONResponse:
    events = await service.get_payment_events(connector, auth.account_id, paymentId, base_url=base_url)
    return JSONResponse(events)


@router.post(
    "/{paymentId}/cancel", status_code=204, **operation("Cancel a payment", 400, 401, 404, 409, 429, 500)
)
async def cancel_payment(paymentId: str, auth: AuthDep, connector: ConnectorDep) -> Response:
    await service.cancel_payment(connector, auth.account_id, paymentId)
    return Response(status_code=204)


@router.post(
    "/{paymentId}/capture", status_code=204, **operation("Capture a payment", 400, 401, 404, 409, 429, 500)
)
async def capture_payment(paymentId: str, auth: AuthDep, connector: ConnectorDep) -> Response:
    await service.capture_payment(connector, auth.account_id, paymentId)
    return Response(status_code=204)
