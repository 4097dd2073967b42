"""``POST /v1/api/charges/authorise``: the MOTO API, publicapi's ``POST /v1/auth`` (connector.md §11.4).

No account in the path: the one-time token names the charge. The card details go to the
gateway and nowhere else (never a log line, never a message); 204 once the payment is
authorised and queued for capture.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from connector.authorisation.dependencies import JsonObject
from connector.dependencies import SettingsDep
from connector.motoapi import service
from connector.motoapi.schemas import parse_authorise_request
from connector.postgres import SessionmakerDep

router = APIRouter(prefix="/v1/api/charges")


@router.post("/authorise", status_code=204)
async def authorise_moto_api_charge(
    body: JsonObject, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    await service.authorise(sessionmaker, settings, parse_authorise_request(body))
    return Response(status_code=204)
