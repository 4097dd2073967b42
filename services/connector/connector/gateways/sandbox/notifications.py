"""Sandbox notifications (``POST /v1/api/notifications/sandbox``, seeds 000/001, connector.md §6.5).

Body ``{"transaction_id": "...", "status": "<internal charge status>"}``: the sandbox charge with
that gateway transaction id moves to ``status`` when the state machine allows it, so tests and
demos can drive a sandbox charge the way a real provider's notification would. Unknown
charges, unknown statuses and moves the graph refuses are acknowledged and change nothing.

Who may call: when ``sandbox_auth_token`` is set, a matching ``Authorization`` header; when
``sandbox_allowed_cidrs`` is set, a last ``X-Forwarded-For`` address inside them. Either one is
enough. With neither configured the endpoint is open, as the seeds describe it.
"""

from __future__ import annotations

import hmac

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from connector.charges.state import ChargeStatus
from connector.config import Settings
from connector.notifications.service import lock_charge_by_transaction, move_charge, sent_from
from pay_common.db.session import unit_of_work
from pay_common.logging import get_logger

logger = get_logger(__name__)


class SandboxNotification(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    transaction_id: str = Field(min_length=1, max_length=255)
    status: str = Field(min_length=1, max_length=50)


def is_allowed_sender(settings: Settings, authorization: str | None, forwarded_for: str | None) -> bool:
    token = settings.sandbox_auth_token
    cidrs = settings.sandbox_allowed_cidrs
    if token is None and not cidrs:
        return True
    if token is not None and authorization is not None:
        if hmac.compare_digest(authorization.encode(), token.get_secret_value().encode()):
            return True
    if cidrs and forwarded_for:
        return sent_from(forwarded_for.split(",")[-1], cidrs)
    return False


async def handle(sessionmaker: async_sessionmaker[AsyncSession], notification: SandboxNotification) -> bool:
    """Apply the notification; True when the charge moved."""
    try:
        target = ChargeStatus(notification.status)
    except ValueError:
        logger.info("sandbox.notification.unknown_status")
        return False
    async with unit_of_work(sessionmaker) as session:
        charge = await lock_charge_by_transaction(session, "sandbox", notification.transaction_id)
        if charge is None:
            logger.info("sandbox.notification.unknown_charge")
            return False
        return await move_charge(session, charge, target)
