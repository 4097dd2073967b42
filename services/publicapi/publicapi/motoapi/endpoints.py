"""``POST /v1/auth``: send card details to authorise a MOTO payment (publicapi.md §a.1, §d.5).

No API key: the ``one_time_token`` from the payment's ``auth_url_post`` link is the credential,
so the rate limit counts these requests in one bucket shared by every caller (§c).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from publicapi.connector_client.client import ConnectorDep
from publicapi.motoapi import service
from publicapi.motoapi.schemas import AuthorisationRequest, parse_authorisation_request
from publicapi.openapi import json_body, responses
from publicapi.ratelimit.dependencies import RateLimitDep
from publicapi.validation import parse_json_object

router = APIRouter(tags=["Authorise card payments"])


@router.post(
    "/v1/auth",
    operation_id="Authorise a MOTO payment",
    summary="Send card details to authorise a MOTO payment",
    status_code=204,
    response_class=Response,
    responses=responses(400, 402, 422, 500),
    openapi_extra=json_body(AuthorisationRequest),
)
async def authorise_moto_payment(request: Request, _: RateLimitDep, connector: ConnectorDep) -> Response:
    # Unreadable JSON: 400 P0197, as the other bodies read by hand (docs/decisions.md, "MOTO API").
    body = parse_json_object(await request.body(), "P0197")
    await service.authorise(connector, parse_authorisation_request(body))
    return Response(status_code=204)
