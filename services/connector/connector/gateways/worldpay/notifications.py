"""Worldpay order status notifications (``POST /v1/api/notifications/worldpay``, connector.md §15.1).

The payload carries no signature. When ``secure_worldpay_notification_enabled`` is on, the
sender (the last ``X-Forwarded-For`` address, else the peer) must reverse-resolve to a host
ending in ``secure_worldpay_notification_domain``. The document is parsed with entity
declarations and external references refused. Statuses that need no action are acknowledged;
``CAPTURED`` captures the charge; refund statuses settle the refund named by the journal
reference. An order we do not know is acknowledged, except that Worldpay is asked to retry
(403) when the merchant code belongs to a telephone-payments account: the payment may be
reported to us later.
"""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges.state import ChargeStatus
from connector.gateways.credentials import WorldpayCredentials, stored_credentials
from connector.gateways.worldpay import xml
from connector.models import GatewayAccount, GatewayAccountCredential
from connector.notifications.service import lock_charge_by_transaction, move_charge, move_refund
from connector.refunds.state import RefundStatus
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)

IGNORED_STATUSES = frozenset(
    {
        "SENT_FOR_AUTHORISATION",
        "AUTHORISED",
        "CANCELLED",
        "EXPIRED",
        "REFUSED",
        "REFUSED_BY_BANK",
        "SETTLED",
        "SETTLED_BY_MERCHANT",
    }
)
REFUNDED_STATUSES = frozenset({"REFUNDED", "REFUNDED_BY_MERCHANT", "SENT_FOR_REFUND"})


class Outcome(Enum):
    ACCEPTED = "accepted"  # 200 [OK]
    RETRY = "retry"  # 403: Worldpay sends it again later
    UNSAFE = "unsafe"  # 400: entity declarations or external references


async def reverse_dns(address: str) -> str | None:
    """The host name ``address`` resolves back to, or None."""
    try:
        host, _ = await asyncio.get_running_loop().getnameinfo((address, 0), socket.NI_NAMEREQD)
    except (OSError, ValueError):
        return None
    return str(host)


async def is_from_worldpay(address: str | None, domain: str) -> bool:
    if not address:
        return False
    host = await reverse_dns(address)
    if host is None:
        return False
    # Resolvers may or may not give the root dot; compare without it.
    return host.rstrip(".").lower().endswith(domain.rstrip(".").lower())


async def _merchant_has_telephone_account(session: AsyncSession, merchant_code: str | None) -> bool:
    if not merchant_code:
        return False
    rows = await session.execute(
        select(GatewayAccountCredential.credentials)
        .join(GatewayAccount, GatewayAccount.id == GatewayAccountCredential.gateway_account_id)
        .where(
            GatewayAccountCredential.payment_provider == "worldpay",
            GatewayAccount.allow_telephone_payment_notifications.is_(True),
        )
    )
    for (raw,) in rows:
        credentials = stored_credentials("worldpay", raw)
        if isinstance(credentials, WorldpayCredentials) and merchant_code in credentials.merchant_codes():
            return True
    return False


def _event_date(notification: xml.Notification) -> datetime | None:
    day = notification.booking_date
    return datetime(day.year, day.month, day.day, tzinfo=UTC) if day else None


async def handle(sessionmaker: async_sessionmaker[AsyncSession], document: bytes) -> Outcome:
    try:
        notification = xml.parse_notification(document)
    except xml.UnsafeXml as exc:
        logger.warning("worldpay.notification.unsafe_xml", error=str(exc))
        return Outcome.UNSAFE
    except xml.MalformedXml as exc:
        logger.warning("worldpay.notification.unparseable", error=str(exc))
        return Outcome.ACCEPTED
    status = notification.status or ""
    log = logger.bind(order_code=notification.order_code, status=status)
    if status in IGNORED_STATUSES or not notification.order_code:
        log.info("worldpay.notification.ignored")
        return Outcome.ACCEPTED
    async with unit_of_work(sessionmaker) as session:
        charge = await lock_charge_by_transaction(session, "worldpay", notification.order_code)
        if charge is None:
            if await _merchant_has_telephone_account(session, notification.merchant_code):
                log.info("worldpay.notification.unknown_order_retry")
                return Outcome.RETRY
            log.info("worldpay.notification.unknown_order")
            return Outcome.ACCEPTED
        if status == "CAPTURED":
            await move_charge(
                session,
                charge,
                ChargeStatus.CAPTURED,
                force=True,
                gateway_event_date=_event_date(notification),
            )
        elif status in REFUNDED_STATUSES or status == "REFUND_FAILED":
            await _refund_notification(session, charge.external_id, notification)
        elif status == "ERROR":
            log.warning("worldpay.notification.error_status", charge_external_id=charge.external_id)
        else:
            log.warning("worldpay.notification.unknown_status", charge_external_id=charge.external_id)
    return Outcome.ACCEPTED


async def _refund_notification(
    session: AsyncSession, charge_external_id: str, notification: xml.Notification
) -> None:
    status = notification.status or ""
    if status == "SENT_FOR_REFUND" and notification.refund_authorisation_reference in (None, "", "null"):
        logger.info("worldpay.notification.offline_refund_ignored", charge_external_id=charge_external_id)
        return
    reference = notification.refund_reference
    if not reference:
        logger.warning(
            "worldpay.notification.refund_without_reference", charge_external_id=charge_external_id
        )
        return
    target = RefundStatus.REFUND_ERROR if status == "REFUND_FAILED" else RefundStatus.REFUNDED
    await move_refund(session, charge_external_id, reference, target)
