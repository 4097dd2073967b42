"""Every router of the public API, in one place."""

from __future__ import annotations

from fastapi import APIRouter

from publicapi.healthcheck.endpoints import router as healthcheck_router
from publicapi.motoapi.endpoints import router as motoapi_router
from publicapi.payments.endpoints import router as payments_router
from publicapi.refunds.endpoints import router as refunds_router
from publicapi.search.endpoints import router as search_router
from publicapi.telephone.endpoints import router as telephone_router

router = APIRouter()
router.include_router(healthcheck_router)
# search first: GET /v1/payments (search) is declared before /v1/payments/{paymentId}
for feature_router in (search_router, payments_router, refunds_router, telephone_router, motoapi_router):
    router.include_router(feature_router)
