"""Every router of the webhooks service."""

from __future__ import annotations

from fastapi import APIRouter

from pay_common.healthcheck import database_healthcheck_router
from webhooks.events.endpoints import router as events_router
from webhooks.messages.endpoints import router as messages_router
from webhooks.webhook.endpoints import router as webhook_router

router = APIRouter()
router.include_router(database_healthcheck_router())
router.include_router(events_router)
# Messages first: its literal ``/tasks/delete_messages`` must win over ``/{webhook_id}/...``.
router.include_router(messages_router)
router.include_router(webhook_router)
