"""FastAPI dependencies applying the rate limit.

Authenticated routes get it through ``publicapi.auth.dependencies.AuthDep`` (authenticate,
then count against the account). ``RateLimitDep`` is for the one route without an API key
(``POST /v1/auth``): it counts against the empty account, one bucket shared by everyone,
as the original does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request

from pay_common import metrics
from pay_common.logging import get_logger
from publicapi.ratelimit.errors import too_many_requests
from publicapi.ratelimit.service import Decision, RateLimiter

logger = get_logger(__name__)

ANONYMOUS_ACCOUNT = ""


def rate_limiter_of(app: FastAPI) -> RateLimiter:
    """The app's limiter, made on first use from its settings (kept on ``app.state``)."""
    limiter: RateLimiter | None = getattr(app.state, "rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter(app.state.settings)
        app.state.rate_limiter = limiter
    return limiter


async def enforce_rate_limit(request: Request, account_id: str) -> Decision:
    decision = await rate_limiter_of(request.app).hit(request.method, request.url.path, account_id)
    if not decision.allowed:
        logger.info("ratelimit.exceeded", rate_key=decision.key, retry_after=decision.retry_after)
        metrics.RATE_LIMIT_REFUSALS.labels(method=request.method).inc()
        raise too_many_requests(decision.retry_after)
    return decision


async def limit_anonymous(request: Request) -> None:
    await enforce_rate_limit(request, ANONYMOUS_ACCOUNT)


RateLimitDep = Annotated[None, Depends(limit_anonymous)]
