"""``POST /v1/events``: where the connector's event publisher delivers batches (its HTTP sink).

The batch is trusted only with a valid ``Pay-Signature``: the hex HMAC-SHA256 of the raw body
under the shared ``event_ingest_secret``. A 2xx tells the publisher the batch is stored; any
other answer makes it send the batch again later (at least once; duplicates are absorbed).
"""

from __future__ import annotations

import hashlib
import hmac

from fastapi import APIRouter, Request
from pydantic import ValidationError

from webhooks.dependencies import SettingsDep
from webhooks.errors import BadRequest, Unauthorised, WebhooksError
from webhooks.events import service
from webhooks.events.connector_client import PaymentUnavailable, fetch_charge
from webhooks.events.resource import UnknownPaymentState
from webhooks.events.schemas import EventBatch
from webhooks.postgres import SessionDep

router = APIRouter(tags=["events"])
SIGNATURE_HEADER = "Pay-Signature"


class EventsNotStored(WebhooksError):
    status_code = 503


def _verify(body: bytes, signature: str | None, secret: str) -> None:
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    if signature is None or not hmac.compare_digest(expected, signature.strip().lower()):
        raise Unauthorised("Invalid or missing Pay-Signature", error_identifier="UNAUTHORISED")


@router.post("/v1/events", status_code=202)
async def receive_events(request: Request, session: SessionDep, settings: SettingsDep) -> dict[str, int]:
    body = await request.body()
    _verify(body, request.headers.get(SIGNATURE_HEADER), settings.event_ingest_secret.get_secret_value())
    try:
        batch = EventBatch.model_validate_json(body)
    except ValidationError as exc:
        raise BadRequest("Invalid event batch") from exc
    client = request.app.state.connector_http

    async def charge_of(gateway_account_id: str, charge_id: str) -> dict[str, object]:
        return await fetch_charge(client, gateway_account_id, charge_id)

    try:
        created = await service.handle_events(session, batch.events, charge_of, batch.payments)
    except (PaymentUnavailable, UnknownPaymentState) as exc:
        raise EventsNotStored(f"Events not stored: {exc}", error_identifier="RETRY_LATER") from exc
    return {"messages_created": created}
