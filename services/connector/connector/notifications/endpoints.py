"""``POST /v1/api/notifications/{worldpay,stripe,sandbox}`` (connector.md §15, seeds 000/001).

Rejections are answers without a body: 403 for a sender we do not trust (Worldpay source
check, Stripe and sandbox CIDRs, sandbox token; Worldpay's "retry later" for telephone
accounts), 400 for a
Stripe signature that does not verify, or for a document declaring entities. Nothing is
changed by a rejected notification. Accepted ones answer ``[OK]`` (``OK`` for the sandbox).
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from connector.dependencies import SettingsDep
from connector.gateways.sandbox import notifications as sandbox
from connector.gateways.stripe import notifications as stripe
from connector.gateways.worldpay import notifications as worldpay
from connector.notifications.service import sent_from
from connector.postgres import SessionmakerDep
from pay_common.logging import get_logger

router = APIRouter(prefix="/v1/api/notifications", tags=["notifications"])
logger = get_logger(__name__)


def _sender(request: Request) -> str | None:
    """The last ``X-Forwarded-For`` address (what our edge added), else the TCP peer."""
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.client.host if request.client else None


def _ok(text: str = "[OK]") -> Response:
    return Response(text, media_type="text/plain")


@router.post("/worldpay")
async def worldpay_notification(
    request: Request, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    if settings.secure_worldpay_notification_enabled and not await worldpay.is_from_worldpay(
        _sender(request), settings.secure_worldpay_notification_domain
    ):
        logger.warning("worldpay.notification.untrusted_source")
        return Response(status_code=403)
    outcome = await worldpay.handle(sessionmaker, await request.body())
    if outcome == worldpay.Outcome.RETRY:
        return Response(status_code=403)
    if outcome == worldpay.Outcome.UNSAFE:
        return Response(status_code=400)
    return _ok()


@router.post("/stripe")
async def stripe_notification(
    request: Request, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    if settings.stripe_allowed_cidrs and not sent_from(_sender(request), settings.stripe_allowed_cidrs):
        logger.warning("stripe.notification.untrusted_source")
        return Response(status_code=403)
    payload = await request.body()
    try:
        event = stripe.verified_event(
            payload, request.headers.get("stripe-signature"), settings.stripe_webhook_signing_secrets
        )
    except stripe.BadSignature as exc:
        logger.warning("stripe.notification.rejected", reason=str(exc))
        return Response(status_code=400)
    await stripe.handle(sessionmaker, event)
    return _ok()


@router.post("/sandbox")
async def sandbox_notification(
    request: Request, sessionmaker: SessionmakerDep, settings: SettingsDep
) -> Response:
    if not sandbox.is_allowed_sender(
        settings, request.headers.get("authorization"), request.headers.get("x-forwarded-for")
    ):
        return Response(status_code=403)
    try:
        notification = sandbox.SandboxNotification.model_validate_json(await request.body())
    except ValidationError:
        return Response(status_code=400)
    await sandbox.handle(sessionmaker, notification)
    return _ok("OK")
