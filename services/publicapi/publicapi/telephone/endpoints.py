"""``POST /v1/payment_notification``: record a payment taken by a telephone provider.

Served but absent from the contract (publicapi.md §a.2), so it stays out of our OpenAPI too.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from publicapi.auth.dependencies import AuthDep
from publicapi.connector_client.client import ConnectorDep
from publicapi.telephone import service
from publicapi.telephone.schemas import parse_telephone_payment
from publicapi.validation import parse_json_object

router = APIRouter()


@router.post("/v1/payment_notification", include_in_schema=False)
async def payment_notification(request: Request, auth: AuthDep, connector: ConnectorDep) -> JSONResponse:
    # Unreadable JSON: 400 P0197, as for create payment (the original leaves it to Jackson).
    body = parse_json_object(await request.body(), "P0197")
    result = await service.create_telephone_payment(connector, auth.account_id, parse_telephone_payment(body))
    return JSONResponse(result.payment, status_code=result.status_code)
