"""``/v1/payments/{paymentId}/refunds``: submit, list and get refunds of one payment."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from publicapi.auth.dependencies import AuthDep
from publicapi.connector_client.client import ConnectorDep
from publicapi.openapi import operation
from publicapi.payments.presenter import BaseUrlDep
from publicapi.refunds import service
from publicapi.refunds.schemas import PaymentRefundRequest, parse_refund_request
from publicapi.validation import parse_json_object

router = APIRouter(prefix="/v1/payments/{paymentId}/refunds", tags=["Refunding card payments"])


@router.post(
    "",
    status_code=202,
    **operation("Submit a refund for a payment", 200, 401, 404, 412, 429, 500, body=PaymentRefundRequest),
)
async def submit_refund(
    request: Request, base_url: BaseUrlDep, paymentId: str, auth: AuthDep, connector: ConnectorDep
) -> JSONResponse:
    refund_request = parse_refund_request(parse_json_object(await request.body(), "P0697"))
    refund = await service.create_refund(
        connector, auth.account_id, paymentId, refund_request, base_url=base_url
    )
    # Always 202, although the contract also lists 200 (publicapi.md §k).
    return JSONResponse(refund, status_code=202)


@router.get("", **operation("Get all refunds for a payment", 401, 404, 429, 500))
async def list_refunds(
    base_url: BaseUrlDep, paymentId: str, auth: AuthDep, connector: ConnectorDep
) -> JSONResponse:
    listing = await service.list_refunds(connector, auth.account_id, paymentId, base_url=base_url)
    return JSONResponse(listing)


@router.get("/{refundId}", **operation("Get a payment refund", 401, 404, 429, 500))
async def get_refund(
    base_url: BaseUrlDep,
    paymentId: str,
    refundId: str,
    auth: AuthDep,
    connector: ConnectorDep,
) -> JSONResponse:
    refund = await service.get_refund(connector, auth.account_id, paymentId, refundId, base_url=base_url)
    return JSONResponse(refund)
