"""Public API settings (env prefix ``PUBLICAPI_``)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pay_common.service_auth import DEVELOPMENT_KEY
from pay_common.settings import BaseServiceSettings, load_settings


def _alias(original: str) -> AliasChoices:
    """``PUBLICAPI_<NAME>`` first, then the original service's environment name."""
    return AliasChoices(f"PUBLICAPI_{original}", original)


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PUBLICAPI_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9100
    #: Base URL clients see; every public link and Location header starts with it.
    base_url: str = "http://localhost:9100"
    connector_url: str = "http://localhost:9300"
    connector_connect_timeout: float = 2.0
    connector_read_timeout: float = 10.0
    connector_max_connections: int = 200

    token_api_hmac_secret: SecretStr = Field(
        default=SecretStr("development-only-secret"),
        validation_alias=AliasChoices("PUBLICAPI_TOKEN_API_HMAC_SECRET", "TOKEN_API_HMAC_SECRET"),
    )
    #: Signs this service's calls to connector (connector's ``service_token_keys["publicapi"]``).
    service_token_key: SecretStr = SecretStr(DEVELOPMENT_KEY)
    required_secrets: tuple[str, ...] = ("token_api_hmac_secret", "service_token_key")
    public_urls: tuple[str, ...] = ("base_url",)
    explicit_in_production: tuple[str, ...] = ("base_url", "connector_url")

    # --- API keys (publicapi.md §b) ---
    #: How long a resolved key is trusted without asking connector again; a revoked key
    #: keeps working for at most this long (the original caches for one minute).
    api_key_cache_ttl_seconds: float = Field(default=60.0, ge=0)
    api_key_cache_max_entries: int = Field(default=10_000, ge=1)
    #: Upper bound on the key look-up at connector, so a slow connector never hangs a request.
    api_key_resolve_timeout_seconds: float = Field(default=5.0, gt=0)

    # --- Rate limiting (publicapi.md §c); the original's environment names are accepted too ---
    rate_limiter_value: int = Field(default=75, ge=1, validation_alias=_alias("RATE_LIMITER_VALUE"))
    rate_limiter_value_post: int = Field(default=15, ge=1, validation_alias=_alias("RATE_LIMITER_VALUE_POST"))
    rate_limiter_per_millis: int = Field(
        default=1000, ge=500, le=60_000, validation_alias=_alias("RATE_LIMITER_PER_MILLIS")
    )
    #: Comma-separated gateway account ids with the elevated limits (checked before low traffic).
    rate_limiter_elevated_accounts: str = Field(
        default="", validation_alias=_alias("RATE_LIMITER_ELEVATED_ACCOUNTS")
    )
    rate_limiter_elevated_value_get: int = Field(
        default=100, ge=1, validation_alias=_alias("RATE_LIMITER_ELEVATED_VALUE_GET")
    )
    rate_limiter_elevated_value_post: int = Field(
        default=40, ge=1, validation_alias=_alias("RATE_LIMITER_ELEVATED_VALUE_POST")
    )
    #: Comma-separated gateway account ids with the low-traffic limits.
    rate_limiter_low_traffic_accounts: str = Field(
        default="", validation_alias=_alias("RATE_LIMITER_LOW_TRAFFIC_ACCOUNTS")
    )
    rate_limiter_low_traffic_value_get: int = Field(
        default=4500, ge=1, validation_alias=_alias("RATE_LIMITER_LOW_TRAFFIC_VALUE_GET")
    )
    rate_limiter_low_traffic_value_post: int = Field(
        default=1, ge=1, validation_alias=_alias("RATE_LIMITER_LOW_TRAFFIC_VALUE_POST")
    )
    rate_limiter_low_traffic_per_millis: int = Field(
        default=60_000, ge=1000, le=3_599_999, validation_alias=_alias("RATE_LIMITER_LOW_TRAFFIC_PER_MILLIS")
    )
    #: Per-process limits used while Redis is unreachable (no elevated/low-traffic classes).
    rate_limiter_value_per_node: int = Field(
        default=25, ge=1, validation_alias=_alias("RATE_LIMITER_VALUE_PER_NODE")
    )
    rate_limiter_value_per_node_post: int = Field(
        default=5, ge=1, validation_alias=_alias("RATE_LIMITER_VALUE_PER_NODE_POST")
    )
    #: Redis shared by every publicapi replica (``redis://`` or ``rediss://``); unset = in-memory.
    redis_url: str | None = None
    #: Prefix of every rate-limit key in Redis (lets several installations share one Redis).
    redis_key_prefix: str = "publicapi-ratelimit"
    redis_command_timeout_seconds: float = Field(default=0.25, gt=0)
    redis_connect_timeout_seconds: float = Field(default=0.1, gt=0)
    #: After a Redis failure, use the local limiter this long before trying Redis again.
    redis_retry_after_seconds: float = Field(default=5.0, ge=0)


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)
