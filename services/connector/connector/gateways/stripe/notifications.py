"""Stripe webhooks (``POST /v1/api/notifications/stripe``, connector.md §15.2).

When ``stripe_allowed_cidrs`` is set, the sender (the last ``X-Forwarded-For`` address, else
the peer) must lie in one of them, else 403 before anything is read (upstream always checks,
against Stripe's published webhook addresses; off here by default so local Stripe stand-ins
work). The ``Stripe-Signature`` header is checked with the library's verifier against every
configured signing secret (300 s tolerance); a missing or bad signature is refused with 400
before anything is read (upstream answers 500). Then:

- ``payment_intent.amount_capturable_updated`` / ``payment_intent.payment_failed`` finish a
  charge still waiting in ``AUTHORISATION 3DS REQUIRED`` (the payer authenticated but the
  payment pages never came back): ``→ 3DS READY → SUCCESS`` or ``→ REJECTED``. A charge in
  ``3DS READY`` is left to the payment pages' own call, which reads the same intent.
- ``account.updated`` promotes a ``CREATED`` Stripe credential once the connected account can
  take charges and payouts.
- ``charge.dispute.*`` are recorded (``disputes``) for the disputes feature.

Everything else is acknowledged and ignored. Duplicates change nothing the second time.
"""

from __future__ import annotations

import json
from typing import Any

import stripe
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges.state import ChargeStatus
from connector.credentials.state import CredentialState, transition_credential
from connector.disputes.service import record_stripe_dispute
from connector.models import GatewayAccountCredential
from connector.notifications.service import lock_charge_by_transaction, move_charge
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)
S = ChargeStatus
TOLERANCE_SECONDS = 300
INTENT_EVENTS = frozenset({"payment_intent.amount_capturable_updated", "payment_intent.payment_failed"})


class BadSignature(Exception):
    pass


def verified_event(payload: bytes, signature: str | None, secrets: list[SecretStr]) -> dict[str, Any]:
    """The event, if ``signature`` is valid for ``payload`` under any of ``secrets``."""
    if not signature:
        raise BadSignature("missing Stripe-Signature")
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, secret.get_secret_value(), tolerance=TOLERANCE_SECONDS
            )
        except (stripe.SignatureVerificationError, UnicodeDecodeError):
            continue
        try:
            event = json.loads(payload)
        except ValueError:
            raise BadSignature("signed payload is not JSON") from None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            raise BadSignature("signed payload is not an event")
        return event
    raise BadSignature("no signing secret matches")


def _object(event: dict[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    found = data.get("object") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else {}


async def handle(sessionmaker: async_sessionmaker[AsyncSession], event: dict[str, Any]) -> None:
    kind = event["type"]
    log = logger.bind(event_type=kind, event_id=event.get("id"))
    if kind in INTENT_EVENTS:
        await _intent_event(sessionmaker, kind, _object(event))
    elif kind == "account.updated":
        await _account_updated(sessionmaker, _object(event))
    elif kind.startswith("charge.dispute."):
        await record_stripe_dispute(sessionmaker, kind, _object(event))
    elif kind == "charge.refund.updated" and _object(event).get("status") == "failed":
        log.warning("stripe.notification.refund_failed", refund_id=_object(event).get("id"))
    else:
        log.info("stripe.notification.ignored")


async def _intent_event(
    sessionmaker: async_sessionmaker[AsyncSession], kind: str, intent: dict[str, Any]
) -> None:
    intent_id = str(intent.get("id") or "")
    async with unit_of_work(sessionmaker) as session:
        charge = await lock_charge_by_transaction(session, "stripe", intent_id)
        if charge is None:
            logger.info("stripe.notification.unknown_intent", intent_id=intent_id)
            return
        if charge.status != S.AUTHORISATION_3DS_REQUIRED:
            logger.info(
                "stripe.notification.intent_not_awaited",
                charge_external_id=charge.external_id,
                status=charge.status,
            )
            return
        if kind == "payment_intent.amount_capturable_updated":
            expected = charge.amount + (charge.corporate_surcharge or 0)
            if intent.get("amount_capturable") != expected:
                logger.warning("stripe.notification.amount_mismatch", charge_external_id=charge.external_id)
                return
            target = S.AUTHORISATION_SUCCESS
        else:
            target = S.AUTHORISATION_REJECTED
        await move_charge(session, charge, S.AUTHORISATION_3DS_READY)
        await move_charge(session, charge, target)


def _account_ready(account: dict[str, Any]) -> bool:
    requirements = account.get("requirements") or {}
    return bool(
        account.get("charges_enabled")
        and account.get("payouts_enabled")
        and not requirements.get("currently_due")
        and not requirements.get("past_due")
    )


async def _account_updated(sessionmaker: async_sessionmaker[AsyncSession], account: dict[str, Any]) -> None:
    account_id = account.get("id")
    if not isinstance(account_id, str) or not _account_ready(account):
        return
    async with unit_of_work(sessionmaker) as session:
        credential = await session.scalar(
            select(GatewayAccountCredential)
            .where(
                GatewayAccountCredential.payment_provider == "stripe",
                GatewayAccountCredential.credentials["stripe_account_id"].astext == account_id,
            )
            .with_for_update()
        )
        if credential is None or credential.state != "CREATED":
            return
        active = await session.scalar(
            select(GatewayAccountCredential.id).where(
                GatewayAccountCredential.gateway_account_id == credential.gateway_account_id,
                GatewayAccountCredential.state == "ACTIVE",
            )
        )
        transition_credential(credential, CredentialState.ENTERED if active else CredentialState.ACTIVE)
        logger.info(
            "stripe.notification.credential_promoted",
            credential_external_id=credential.external_id,
            state=credential.state,
        )
