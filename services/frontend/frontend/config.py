"""Payment pages settings (env prefix ``FRONTEND_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from pay_common.service_auth import DEVELOPMENT_KEY
from pay_common.settings import BaseServiceSettings, load_settings

PACKAGE_DIR = Path(__file__).resolve().parent


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FRONTEND_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 9200
    base_url: str = "http://localhost:9200"
    connector_url: str = "http://localhost:9300"
    #: The card form is the largest body the payment pages take: a few hundred bytes.
    max_body_bytes: int = 100_000
    session_secret: SecretStr = SecretStr("development-only-secret")
    #: Signs this service's calls to connector (connector's ``service_token_keys["frontend"]``).
    service_token_key: SecretStr = SecretStr(DEVELOPMENT_KEY)
    required_secrets: tuple[str, ...] = ("session_secret", "service_token_key")
    public_urls: tuple[str, ...] = ("base_url",)
    explicit_in_production: tuple[str, ...] = ("base_url", "connector_url")
    #: Browser lifetime of the session cookie (pay-frontend's COOKIE_MAX_AGE example: 90 minutes).
    session_max_age_seconds: int = 5400
    #: ``None``: Secure cookies exactly when ``base_url`` is https.
    secure_cookies: bool | None = None
    #: The card details page's Content-Security-Policy is enforced unless this is false (then report-only).
    csp_enforce: bool = True
    #: pay-frontend reads this from adminusers (the service's ``collect_billing_address``); we have no
    #: adminusers, so it is one switch for the whole deployment.
    collect_billing_address: bool = True
    #: Seconds between refreshes of the ``auth_waiting``/``capture_waiting`` pages.
    waiting_refresh_seconds: int = 2

    #: ``PaRes`` values the simulated sandbox issuer page posts; connector's sandbox reads them.
    sandbox_3ds_pass_pa_response: str = "success"
    sandbox_3ds_fail_pa_response: str = "failure"

    @property
    def cookies_secure(self) -> bool:
        if self.secure_cookies is not None:
            return self.secure_cookies
        return self.base_url.startswith("https://")


@lru_cache
def get_settings() -> Settings:
    return load_settings(Settings)
