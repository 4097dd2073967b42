"""Who is calling: the account behind the bearer API key, within its rate limit.

``AuthDep`` resolves ``Authorization: Bearer <key>`` into an :class:`AuthContext`:

1. format and checksum, locally (publicapi.md §b.1) — a failure is a 401 with no call to
   connector;
2. the account, from the in-process cache or connector's ``GET /v1/api/auth`` (§b.2);
3. the rate limit of that account for this method and path type (§c) — 429 when over.

Every route that takes ``AuthDep`` is therefore authenticated *and* rate limited, in the
original's order (401 before 429). ``authenticate`` alone is exposed for tests and for
routes that must skip the limit (none today).
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pay_common.logging import get_logger
from publicapi.auth import service
from publicapi.auth.cache import TTLCache
from publicapi.auth.errors import Unauthorized
from publicapi.auth.schemas import AuthContext
from publicapi.config import Settings
from publicapi.ratelimit.dependencies import enforce_rate_limit

__all__ = ["AuthContext", "AuthDep", "authenticate", "get_auth_context"]

logger = get_logger(__name__)

#: Declares the contract's ``BearerAuth`` scheme in the OpenAPI document. It never refuses
#: anything itself (``auto_error=False``): the exact checks below decide.
bearer_scheme = HTTPBearer(
    scheme_name="BearerAuth",
    description="An API key in an `Authorization: Bearer <key>` header.",
    auto_error=False,
)
BearerDoc = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]


def key_cache_of(app: FastAPI) -> TTLCache[AuthContext]:
    """The app's cache of resolved keys, made on first use (kept on ``app.state``)."""
    cache: TTLCache[AuthContext] | None = getattr(app.state, "api_key_cache", None)
    if cache is None:
        settings: Settings = app.state.settings
        cache = TTLCache(settings.api_key_cache_ttl_seconds, settings.api_key_cache_max_entries)
        app.state.api_key_cache = cache
    return cache


def _client_address(request: Request) -> str | None:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",")[0].strip()[:64]
    return request.client.host if request.client else None


async def authenticate(request: Request) -> AuthContext:
    settings: Settings = request.app.state.settings
    try:
        key = service.check_format(
            request.headers.get("authorization"), settings.token_api_hmac_secret.get_secret_value()
        )
    except Unauthorized as exc:
        logger.warning("auth.rejected_locally", reason=exc.reason, remote_address=_client_address(request))
        raise
    http: httpx.AsyncClient = request.app.state.connector_http
    context = await service.resolve(
        http, key, key_cache_of(request.app), settings.api_key_resolve_timeout_seconds
    )
    request.state.auth = context
    return context


async def get_auth_context(request: Request, _: BearerDoc = None) -> AuthContext:
    context = await authenticate(request)
    await enforce_rate_limit(request, context.account_id)
    return context


AuthDep = Annotated[AuthContext, Depends(get_auth_context)]
