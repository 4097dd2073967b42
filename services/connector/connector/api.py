"""Every router of the connector, in one place."""

from __future__ import annotations

from fastapi import APIRouter

from connector.accounts.endpoints import router as accounts_router
from connector.agreements.endpoints import router as agreements_router
from connector.api_keys.endpoints import router as api_keys_router
from connector.authorisation.endpoints import router as authorisation_router
from connector.cancel.endpoints import router as cancel_router
from connector.capture.endpoints import router as capture_router
from connector.card_types.endpoints import router as card_types_router
from connector.charges.endpoints import router as charges_router
from connector.credentials.endpoints import router as credentials_router
from connector.disputes.endpoints import router as disputes_router
from connector.emails.endpoints import router as emails_router
from connector.healthcheck.endpoints import router as healthcheck_router
from connector.motoapi.endpoints import router as motoapi_router
from connector.notifications.endpoints import router as notifications_router
from connector.refunds.endpoints import router as refunds_router
from connector.reports.endpoints import router as reports_router
from connector.search.endpoints import router as search_router
from connector.tasks.endpoints import admin_router as tasks_admin_router
from connector.tasks.endpoints import router as tasks_router
from connector.telephone.endpoints import router as telephone_router
from connector.tokens.endpoints import router as tokens_router

router = APIRouter()
for feature_router in (
    healthcheck_router,
    accounts_router,
    card_types_router,
    credentials_router,
    # search before charges: GET /v1/api/accounts/{id}/charges (search) vs /charges/{chargeId}
    search_router,
    charges_router,
    tokens_router,
    authorisation_router,
    motoapi_router,
    capture_router,
    cancel_router,
    refunds_router,
    disputes_router,
    reports_router,
    telephone_router,
    agreements_router,
    notifications_router,
    tasks_router,
    api_keys_router,
    emails_router,
):
    router.include_router(feature_router)

#: The admin port's app (``connector.main:admin_app``, ``CONNECTOR_ADMIN_PORT``): the historical
#: event emitters, as the original serves them on 9301, and a healthcheck.
admin_router = APIRouter()
admin_router.include_router(healthcheck_router)
admin_router.include_router(tasks_admin_router)
