"""Request rate limits per account, method and path type (publicapi.md §c), with ``limits``.

Counters live in Redis when ``PUBLICAPI_REDIS_URL`` is set (one budget shared by every
replica), otherwise in process memory. When Redis fails mid-flight, requests are counted
by a per-process fallback limiter with the smaller per-node limits, and Redis is retried
after ``redis_retry_after_seconds`` so a dead Redis costs at most one timeout per period.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from limits.errors import StorageError
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

from pay_common.logging import get_logger
from publicapi.config import Settings

logger = get_logger(__name__)

#: Failures of the shared store that send a request to the local fallback.
REDIS_FAILURES = (StorageError, RedisError, OSError, TimeoutError)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Whole seconds until the window that refused the request ends (0 when allowed).
    retry_after: int
    key: str


def path_type(method: str, path: str) -> str | None:
    """``capture_payment``, ``create_payment`` or nothing, as the original's ``PathHelper``."""
    trimmed = path.rstrip("/")
    if trimmed.endswith("/capture"):
        return "capture_payment"
    if trimmed.endswith("/payments") and method == "POST":
        return "create_payment"
    return None


def rate_key(method: str, path: str, account_id: str) -> tuple[str, ...]:
    """The parts of the rate key: method, path type (if any) and account.

    They are kept apart (``limits`` joins them with ``/``) rather than concatenated, so
    account ``12`` can never share a bucket with account ``123``.
    """
    method = method.upper()
    kind = path_type(method, path)
    return (method, kind, account_id) if kind else (method, account_id)


def _window_seconds(millis: int) -> int:
    # limits counts in whole seconds; a sub-second window is rounded up, never down.
    return max(1, math.ceil(millis / 1000))


def _accounts(listing: str) -> frozenset[str]:
    return frozenset(part.strip() for part in listing.split(",") if part.strip())


def _limits_uri(redis_url: str) -> str:
    return redis_url if redis_url.startswith("async+") else f"async+{redis_url}"


class RateLimiter:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._elevated = _accounts(settings.rate_limiter_elevated_accounts)
        self._low_traffic = _accounts(settings.rate_limiter_low_traffic_accounts)
        self._local = FixedWindowRateLimiter(MemoryStorage())
        self._pool: ConnectionPool | None = None
        self._shared: FixedWindowRateLimiter | None = None
        self._redis_retry_at = 0.0
        if settings.redis_url:
            self._pool = ConnectionPool.from_url(
                settings.redis_url,
                socket_timeout=settings.redis_command_timeout_seconds,
                socket_connect_timeout=settings.redis_connect_timeout_seconds,
            )
            pool_option: dict[str, Any] = {"connection_pool": self._pool}
            storage: Storage = RedisStorage(
                _limits_uri(settings.redis_url),
                implementation="redispy",
                wrap_exceptions=True,
                key_prefix=settings.redis_key_prefix,
                # Our own pool, so the timeouts are ours and aclose() can release it.
                **pool_option,
            )
            self._shared = FixedWindowRateLimiter(storage)

    @property
    def uses_redis(self) -> bool:
        return self._shared is not None

    def limit_for(self, method: str, account_id: str) -> RateLimitItem:
        s = self._settings
        post = method.upper() == "POST"
        if account_id in self._elevated:
            amount = s.rate_limiter_elevated_value_post if post else s.rate_limiter_elevated_value_get
            return RateLimitItemPerSecond(amount, _window_seconds(s.rate_limiter_per_millis))
        if account_id in self._low_traffic:
            amount = s.rate_limiter_low_traffic_value_post if post else s.rate_limiter_low_traffic_value_get
            return RateLimitItemPerSecond(amount, _window_seconds(s.rate_limiter_low_traffic_per_millis))
        amount = s.rate_limiter_value_post if post else s.rate_limiter_value
        return RateLimitItemPerSecond(amount, _window_seconds(s.rate_limiter_per_millis))

    def fallback_limit_for(self, method: str) -> RateLimitItem:
        s = self._settings
        amount = (
            s.rate_limiter_value_per_node_post if method.upper() == "POST" else s.rate_limiter_value_per_node
        )
        return RateLimitItemPerSecond(amount, _window_seconds(s.rate_limiter_per_millis))

    async def hit(self, method: str, path: str, account_id: str) -> Decision:
        """Count one request and say whether it is within its limit."""
        identifiers = rate_key(method, path, account_id)
        if self._shared is None:
            return await _check(self._local, self.limit_for(method, account_id), identifiers)
        if time.monotonic() >= self._redis_retry_at:
            try:
                return await _check(self._shared, self.limit_for(method, account_id), identifiers)
            except REDIS_FAILURES as exc:
                self._redis_retry_at = time.monotonic() + self._settings.redis_retry_after_seconds
                logger.warning("ratelimit.redis_unavailable", error=type(exc).__name__)
        return await _check(self._local, self.fallback_limit_for(method), identifiers)

    async def aclose(self) -> None:
        if self._pool is not None:
            await self._pool.aclose()


async def _check(
    limiter: FixedWindowRateLimiter, item: RateLimitItem, identifiers: tuple[str, ...]
) -> Decision:
    key = "-".join(identifiers)
    if await limiter.hit(item, *identifiers):
        return Decision(allowed=True, retry_after=0, key=key)
    reset_at, _ = await limiter.get_window_stats(item, *identifiers)
    return Decision(allowed=False, retry_after=max(1, math.ceil(reset_at - time.time())), key=key)
