"""``GET /healthcheck``: 200 when the database answers, 503 when it does not."""

from __future__ import annotations

from pay_common.healthcheck import database_healthcheck_router

router = database_healthcheck_router()
