"""Webhooks settings (env prefix ``WEBHOOKS_``)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pay_common.service_auth import DEVELOPMENT_KEY
from pay_common.settings import BaseServiceSettings

#: Upstream's ``liveDataAllowDomains`` (webhooks-and-payment-pages.md §A4): a live webhook's
#: host, or one of its parent domains, must be one of these.
LIVE_DATA_ALLOW_DOMAINS = (
    "gov.uk",
    "cadets.mod.uk",
    "edevelopment.scot",
    "anybus-lancashire.co.uk",
    "naturalresources.wales",
    "govpay-ipn.cam-pgmc.ac.uk",
    "payment-manage-personnel-licences.caa.co.uk",
    "manage-personnel-licences.caa.co.uk",
    "centsa.org.uk",
    "poponmobile.nexus.org.uk",
)

#: ``strict``: https only, domain names only, never a private/loopback address (checked at
#: creation and again when connecting). ``development``: also http and local receivers.
CallbackUrlPolicy = Literal["strict", "development"]


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9400
    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/pay",
        validation_alias=AliasChoices("WEBHOOKS_DATABASE_URL", "DATABASE_URL"),
    )
    db_pool_size: int = Field(default=10, ge=1)
    db_max_overflow: int = Field(default=10, ge=0)
    #: Where the current payment is read when an event arrives (the resource of a message).
    connector_url: str = "http://localhost:9300"
    connector_timeout_seconds: float = Field(default=5.0, gt=0)

    #: Shared with the connector's event publisher: incoming event batches carry an HMAC of
    #: their body under this secret (``Pay-Event-Signature``).
    event_ingest_secret: SecretStr = SecretStr("development-only-secret")
    #: Signing keys are stored encrypted (Fernet) under a key derived from this secret.
    signing_key_encryption_secret: SecretStr = SecretStr("development-only-secret")
    #: Signs this service's calls to connector (connector's ``service_token_keys["webhooks"]``).
    service_token_key: SecretStr = SecretStr(DEVELOPMENT_KEY)
    required_secrets: tuple[str, ...] = (
        "event_ingest_secret",
        "signing_key_encryption_secret",
        "service_token_key",
    )
    #: Their defaults are a developer's machine: production refuses to start without them.
    explicit_in_production: tuple[str, ...] = ("database_url", "connector_url")

    #: None: ``development`` in the development environment, ``strict`` everywhere else.
    callback_url_policy: CallbackUrlPolicy | None = None
    live_data_allow_domains: tuple[str, ...] = LIVE_DATA_ALLOW_DOMAINS

    #: Upstream's ``WEBHOOK_MESSAGE_SENDER_REQUEST_TIMEOUT``: connect and response timeout.
    request_timeout_seconds: float = Field(default=3.0, gt=0)
    #: Attempts one delivery run sends at most (it runs again at once when it hit the limit).
    delivery_batch_size: int = Field(default=50, ge=1)
    #: ``POST /v1/webhook/tasks/delete_messages``: age in days and rows per call.
    maximum_age_of_message_days: int = Field(default=7, ge=1)
    maximum_number_of_messages_to_expire_per_job: int = Field(default=15_000, ge=1)

    # --- the delivery worker (python -m webhooks.worker) ---
    worker_concurrency: int = Field(default=10, ge=1)
    #: The worker's own metrics listener (deliveries by outcome, their latency); unset = none.
    #: Apart from ``metrics_port`` (the API's), so both can run on one host.
    worker_metrics_port: int | None = None
    worker_heartbeat_seconds: float = Field(default=10.0, gt=0)
    worker_stalled_after_seconds: float = Field(default=30.0, gt=0)
    #: Safety net: attempts found due by this sweep, not by the job deferred when they were queued.
    delivery_sweep_cron: str = "* * * * * */15"
    retry_stalled_jobs_cron: str = "* * * * * */10"

    @property
    def effective_callback_url_policy(self) -> CallbackUrlPolicy:
        if self.callback_url_policy is not None:
            return self.callback_url_policy
        return "development" if self.environment == "development" else "strict"


@lru_cache
def get_settings() -> Settings:
    return Settings()
