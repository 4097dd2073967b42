"""Connector settings (env prefix ``CONNECTOR_``); a few keep the original's documented names."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AfterValidator, AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from pay_common.service_auth import DEVELOPMENT_KEY
from pay_common.settings import BaseServiceSettings, load_settings


def _networks(cidrs: list[str]) -> list[str]:
    """Refuse a malformed address range at start-up rather than on the first notification."""
    for cidr in cidrs:
        ipaddress.ip_network(cidr, strict=False)
    return cidrs


#: Address ranges (``"3.18.12.63/32"``), as a JSON list in the environment.
Cidrs = Annotated[list[str], AfterValidator(_networks)]


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONNECTOR_", extra="ignore")

    database_url: str = Field(
        default="postgresql://postgres@127.0.0.1:5432/pay",
        validation_alias=AliasChoices("CONNECTOR_DATABASE_URL", "DATABASE_URL"),
    )
    #: Connections kept open. Overflow connections are closed when returned, and opening an
    #: asyncpg connection costs several ms of CPU (auth, type introspection), so the steady
    #: concurrency should fit in the pool itself (measured: docs/benchmarks.md).
    db_pool_size: int = 30
    db_max_overflow: int = 10

    host: str = "127.0.0.1"
    port: int = 9300
    #: Base URL of this service, used in self links.
    base_url: str = "http://localhost:9300"
    #: Base URL of the payment pages, used in next_url links.
    frontend_url: str = "http://localhost:9200"

    #: Run a job worker inside the web process too (``make run`` starts a separate one instead,
    #: ``python -m connector.worker``; docs/architecture.md, "Background work").
    run_worker: bool = True
    #: Jobs one worker process runs at once, and its own connection pool (procrastinate, psycopg).
    worker_concurrency: int = 10
    worker_db_pool_size: int = 12
    #: A worker writes a heartbeat this often; a job whose worker has been silent for
    #: ``worker_stalled_after_seconds`` (killed, machine lost) is retried by the others.
    worker_heartbeat_seconds: float = 10.0
    worker_stalled_after_seconds: float = 30.0
    #: On SIGTERM/SIGINT a worker takes no new job and lets the running ones finish (waiting at
    #: most this long, if set; a job cut short is then aborted, not retried).
    worker_shutdown_timeout_seconds: float | None = None
    #: Periodic jobs (cron, with an optional sixth field for seconds).
    capture_sweep_cron: str = "* * * * *"
    expiry_sweep_cron: str = "*/5 * * * *"
    #: Resolves intent states a crash left behind (docs/reliability.md): every 15 s.
    recovery_sweep_cron: str = "* * * * * */15"
    token_cleanup_cron: str = "17 * * * *"
    emitted_events_sweep_cron: str = "*/10 * * * *"
    retry_stalled_jobs_cron: str = "* * * * * */10"

    #: The emitted-events sweep re-sends events older than this that were never marked emitted.
    not_emitted_event_max_age_in_seconds: int = Field(
        default=1800,
        validation_alias=AliasChoices(
            "CONNECTOR_NOT_EMITTED_EVENT_MAX_AGE_IN_SECONDS", "NOT_EMITTED_EVENT_MAX_AGE_IN_SECONDS"
        ),
    )
    #: After a failed re-send the sweep leaves the event alone this long.
    do_not_retry_emitting_event_until_seconds: int = 7200
    #: Events the publisher sends to the consumers in one batch.
    publish_batch_size: int = 500
    #: The publisher wakes on each commit that wrote events (NOTIFY), and at least this often.
    publisher_poll_seconds: float = 2.0
    #: External event sink (ledger, data warehouse): signed JSON batches are POSTed here.
    event_sink_url: str | None = None
    event_sink_secret: SecretStr | None = None
    event_sink_timeout_seconds: float = 5.0
    #: The webhooks service's event intake (``POST /v1/events``), signed with the shared secret.
    webhooks_events_url: str | None = None
    webhooks_events_secret: SecretStr = SecretStr("development-only-secret")
    # --- Payer emails (GOV.UK Notify; connector.md §14.4) ---
    #: ``notify``: GOV.UK Notify; ``local``: the local mailbox (``pay-admin mailbox``), what
    #: ``make run`` uses so no Notify account is needed; ``off``: none (upstream's default,
    #: ``NOTIFY_EMAIL_ENABLED=false``). Unset: ``local`` in development, ``off`` elsewhere.
    email_delivery: Literal["notify", "local", "off"] | None = None
    #: The platform's Notify API key and templates, used unless an account has its own.
    notify_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CONNECTOR_NOTIFY_API_KEY", "NOTIFY_API_KEY")
    )
    notify_base_url: str = "https://api.notifications.service.gov.uk"
    notify_payment_receipt_email_template_id: str = "platform-payment-receipt-template"
    notify_refund_issued_email_template_id: str = "platform-refund-issued-template"
    notify_timeout_seconds: float = 10.0
    #: Attempts of one email before it is FAILED (each a job retry, backing off).
    notify_max_attempts: int = 6

    #: Serve the operator tasks (``/tasks/historical-event-emitter`` ...) on this port too, as the
    #: original does on its admin port 9301. Off unless set.
    admin_port: int | None = None

    #: Refuse payment-link charges whose reference is a card number (connector.md §4.2 step 8).
    #: The original defaults this to false; GOV.UK Pay runs with it on and the pact expects it.
    reject_card_number_in_payment_link_reference: bool = True

    charge_expiry_window_seconds: int = Field(
        default=90 * 60,
        validation_alias=AliasChoices(
            "CONNECTOR_CHARGE_EXPIRY_WINDOW_SECONDS", "CHARGE_EXPIRY_WINDOW_SECONDS"
        ),
    )
    awaiting_delay_capture_expiry_window: int = Field(
        default=120 * 3600,
        validation_alias=AliasChoices(
            "CONNECTOR_AWAITING_DELAY_CAPTURE_EXPIRY_WINDOW", "AWAITING_DELAY_CAPTURE_EXPIRY_WINDOW"
        ),
    )
    token_expiry_window_seconds: int = Field(
        default=7 * 24 * 3600,
        validation_alias=AliasChoices("CONNECTOR_TOKEN_EXPIRY_WINDOW_SECONDS", "TOKEN_EXPIRY_WINDOW_SECONDS"),
    )

    #: Shared with publicapi: connector mints API keys whose checksum publicapi verifies.
    token_api_hmac_secret: SecretStr = Field(
        default=SecretStr("development-only-secret"),
        validation_alias=AliasChoices("CONNECTOR_TOKEN_API_HMAC_SECRET", "TOKEN_API_HMAC_SECRET"),
    )
    #: One signing key per caller of ``/v1/api`` and ``/v1/frontend`` (pay_common.service_auth):
    #: ``CONNECTOR_SERVICE_TOKEN_KEYS='{"publicapi": "...", "frontend": "...", "pay_admin": "..."}'``
    #: or one variable per caller, ``CONNECTOR_SERVICE_TOKEN_KEYS__PUBLICAPI=...``. A caller
    #: missing here (a webhooks service not deployed yet) is refused.
    service_token_keys: dict[str, SecretStr] = Field(
        default_factory=lambda: {
            caller: SecretStr(DEVELOPMENT_KEY)
            for caller in ("publicapi", "frontend", "pay_admin", "webhooks")
        }
    )
    required_secrets: tuple[str, ...] = ("token_api_hmac_secret", "service_token_keys")
    public_urls: tuple[str, ...] = ("frontend_url",)
    explicit_in_production: tuple[str, ...] = ("database_url", "base_url", "frontend_url")

    #: Charges updated more recently than this are skipped by the expiry sweep (the user is active).
    skip_expiring_charges_last_updated_in_seconds: int = Field(
        default=300,
        validation_alias=AliasChoices(
            "CONNECTOR_SKIP_EXPIRING_CHARGES_LAST_UPDATED_IN_SECONDS",
            "SKIP_EXPIRING_CHARGES_LAST_UPDATED_IN_SECONDS",
        ),
    )
    idempotency_key_expiry_window_seconds: int = 24 * 3600
    #: How long POST /cards and /3ds wait for the gateway before answering 202 (the work goes on).
    auth_read_timeout_seconds: float = 1.0
    #: How long ``POST /v1/api/charges/authorise`` (MOTO API) waits for the gateway before the
    #: charge is ``AUTHORISATION TIMEOUT`` (SYNCHRONOUS_AUTH_TIMEOUT_IN_MILLISECONDS upstream, 10 s
    #: there). Under publicapi's 10 s read timeout, so the service hears the outcome, not a 500.
    synchronous_auth_timeout_seconds: float = Field(default=8.0, gt=0)
    #: How long a user cancel waits for an authorisation already with the gateway before answering
    #: 202 (the outcome is then voided without the payer: docs/decisions.md).
    cancel_wait_for_authorisation_seconds: float = 2.0
    #: A second 3DS challenge after this many is a rejection (MAXIMUM_NO_USER_3DS_ATTEMPTS).
    maximum_3ds_attempts: int = 1
    capture_process_maximum_retries: int = Field(
        default=26,
        validation_alias=AliasChoices(
            "CONNECTOR_CAPTURE_PROCESS_MAXIMUM_RETRIES", "CAPTURE_PROCESS_MAXIMUM_RETRIES"
        ),
    )
    capture_process_failed_capture_retry_delay_in_seconds: int = Field(
        default=3600,
        validation_alias=AliasChoices(
            "CONNECTOR_CAPTURE_PROCESS_FAILED_CAPTURE_RETRY_DELAY_IN_SECONDS",
            "CAPTURE_PROCESS_FAILED_CAPTURE_RETRY_DELAY_IN_SECONDS",
        ),
    )
    capture_batch_size: int = 10
    #: An intent status (AUTHORISATION READY, AUTHORISATION 3DS READY, CAPTURE READY,
    #: * CANCEL READY; a CREATED refund) untouched for this long was left by a crash between
    #: "intent recorded" and "result recorded", and is resolved by the recovery sweep / capture
    #: worker (docs/reliability.md). Must exceed the longest gateway call (Worldpay auth: 50 s).
    stale_intent_after_seconds: int = 60
    #: A JSON-lines file where the sandbox provider records what it did, shared by every connector
    #: process and kept across restarts (its "side" of each payment; scripts/chaos.py reads it).
    #: Unset: the sandbox remembers in memory only.
    sandbox_ledger_path: str | None = None
    #: Seconds the sandbox takes to answer after acting (0: at once); load and chaos runs only.
    sandbox_latency_seconds: float = 0.0

    @property
    def effective_email_delivery(self) -> Literal["notify", "local", "off"]:
        if self.email_delivery is not None:
            return self.email_delivery
        return "local" if self.environment == "development" else "off"

    # --- Worldpay (connector.md §8.2, §8.5, §9.1, §15.1) ---
    worldpay_url: str = "https://secure-test.worldpay.com/jsp/merchant/xml/paymentService.jsp"
    worldpay_connect_timeout_seconds: float = 5.0
    worldpay_authorise_timeout_seconds: float = 50.0
    worldpay_capture_timeout_seconds: float = 3.0
    worldpay_cancel_timeout_seconds: float = 10.0
    worldpay_refund_timeout_seconds: float = 10.0
    worldpay_inquiry_timeout_seconds: float = 10.0
    #: Reverse-DNS source check of Worldpay notifications (off by default, as upstream).
    secure_worldpay_notification_enabled: bool = Field(
        default=False,
        validation_alias=AliasChoices(
            "CONNECTOR_SECURE_WORLDPAY_NOTIFICATION_ENABLED", "SECURE_WORLDPAY_NOTIFICATION_ENABLED"
        ),
    )
    secure_worldpay_notification_domain: str = Field(
        default=".worldpay.com",
        validation_alias=AliasChoices(
            "CONNECTOR_SECURE_WORLDPAY_NOTIFICATION_DOMAIN", "SECURE_WORLDPAY_NOTIFICATION_DOMAIN"
        ),
    )

    # --- Stripe (connector.md §8, §15.2) ---
    stripe_api_base: str = "https://api.stripe.com"
    stripe_api_key: SecretStr = SecretStr("sk_test_development_only")
    #: Every webhook signing secret a notification may be signed with (test, live, Connect).
    stripe_webhook_signing_secrets: list[SecretStr] = []
    stripe_timeout_seconds: float = 30.0
    #: Our platform's Stripe account: refunds move money back to it from the connected account.
    stripe_platform_account_id: str = "acct_platform"
    #: Pay's transaction fee, in percent of the amount, kept back when paying out to the service.
    stripe_transaction_fee_percentage: float = 0.08
    #: Where Stripe webhooks may come from (the last ``X-Forwarded-For`` address, else the peer);
    #: empty: not checked. Stripe publishes its webhook addresses (docs/decisions.md).
    stripe_allowed_cidrs: Cidrs = Field(
        default=[], validation_alias=AliasChoices("CONNECTOR_STRIPE_ALLOWED_CIDRS", "STRIPE_ALLOWED_CIDRS")
    )
    #: How long a capturable-updated webhook waits for the payment pages to reach 3DS READY.
    notification_3ds_wait_delay_seconds: float = 3.0

    # --- Sandbox notifications (connector.md §6.5) ---
    sandbox_auth_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("CONNECTOR_SANDBOX_AUTH_TOKEN", "SANDBOX_AUTH_TOKEN")
    )
    sandbox_allowed_cidrs: Cidrs = Field(
        default=[], validation_alias=AliasChoices("CONNECTOR_SANDBOX_ALLOWED_CIDRS", "SANDBOX_ALLOWED_CIDRS")
    )


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)
