"""Checking an API key: local format and checksum first, then connector, with a cache.

The checksum check (publicapi.md §b.1) needs no network, so forged, truncated or mistyped
keys are refused without touching connector. A key that passes is resolved through
connector's ``GET /v1/api/auth`` (§b.2) and the answer cached for a short time.
"""

from __future__ import annotations

import httpx

from pay_common import api_keys
from pay_common.logging import get_logger
from publicapi.auth.cache import TTLCache
from publicapi.auth.errors import AuthServiceError, Unauthorized
from publicapi.auth.schemas import AuthContext

logger = get_logger(__name__)

RESOLVE_PATH = "/v1/api/auth"
TOKEN_TYPES = frozenset({"CARD"})


def check_format(authorization: str | None, secret: str) -> str:
    """The key of a well-formed header whose checksum matches; :class:`Unauthorized` otherwise."""
    key = api_keys.key_from_authorization(authorization)
    if key is None:
        raise Unauthorized("missing or malformed Authorization header")
    if not api_keys.verify_key(key, secret):
        raise Unauthorized("api key too short or checksum mismatch")
    return key


async def resolve(
    http: httpx.AsyncClient, key: str, cache: TTLCache[AuthContext], timeout: float
) -> AuthContext:
    cache_key = api_keys.key_hash(key)
    cached = cache.get(cache_key)
    if cached is not None:
        return cached
    context = await _ask_connector(http, key, timeout)
    cache.put(cache_key, context)
    return context


async def _ask_connector(http: httpx.AsyncClient, key: str, timeout: float) -> AuthContext:
    try:
        response = await http.get(
            RESOLVE_PATH,
            headers={"Authorization": f"{api_keys.BEARER_PREFIX}{key}", "Accept": "application/json"},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        logger.error("auth.connector_unreachable", error=type(exc).__name__)
        raise AuthServiceError(500) from exc
    if response.status_code == 401:
        _log_rejection(response)
        raise Unauthorized("key unknown or revoked")
    if response.status_code != 200:
        logger.error("auth.connector_unexpected_status", status=response.status_code)
        raise AuthServiceError(503)
    return _context_of(response)


def _context_of(response: httpx.Response) -> AuthContext:
    try:
        body = response.json()
        context = AuthContext(
            account_id=str(body["account_id"]),
            token_type=str(body["token_type"]),
            token_link=str(body["token_link"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        logger.error("auth.connector_unreadable_answer")
        raise AuthServiceError(500) from exc
    if context.token_type not in TOKEN_TYPES:
        # The original fails to deserialise an unknown token type: a 500, never access.
        logger.error("auth.unsupported_token_type", token_type=context.token_type)
        raise AuthServiceError(500)
    return context


def _log_rejection(response: httpx.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if isinstance(body, dict) and body.get("error_identifier") == "AUTH_TOKEN_REVOKED":
        logger.warning("auth.revoked_key", token_link=body.get("token_link"))
    else:
        logger.warning("auth.invalid_key_with_valid_checksum")
