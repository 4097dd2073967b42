"""Settings shared by every service.

Each service subclasses :class:`BaseServiceSettings` with its own ``env_prefix``
(``CONNECTOR_``, ``PUBLICAPI_``, ``FRONTEND_``). Settings fail closed:

* a secret that is missing or still holds a development placeholder refuses to load outside
  development; in production it must also be at least :data:`MIN_SECRET_BYTES` long;
* in production, the URLs people's browsers and clients see (``public_urls``) must be
  ``https://``, and the settings whose default only fits a developer's machine
  (``explicit_in_production``) must be set explicitly.

:func:`load_settings` turns a refusal into one line naming the setting, for the process to exit with.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "testing", "production"]

#: Values that only make sense on a developer's machine.
PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "development-only-secret", "development-only-service-token-key"}
)
#: The shortest secret production accepts (an HMAC key shorter than its hash is guessable).
MIN_SECRET_BYTES = 32

SettingsT = TypeVar("SettingsT", bound="BaseServiceSettings")


class SettingsError(SystemExit):
    """A setting refused at start-up; the message is one line that names it."""


class BaseServiceSettings(BaseSettings):
    """What every service needs: where it runs, how it logs, and guards on secrets and URLs."""

    model_config = SettingsConfigDict(extra="ignore", env_nested_delimiter="__")

    environment: Environment = "development"
    log_level: str = "INFO"
    log_json: bool = True
    #: Largest request body accepted, in bytes; a larger one is answered 413 unread.
    max_body_bytes: int = 1_000_000
    #: More request headers than this, or more than ``max_request_header_bytes`` of names and
    #: values together, are answered 431 (uvicorn itself has no count limit).
    max_request_headers: int = 100
    max_request_header_bytes: int = 32_768
    #: Prometheus metrics listener (pay_common.metrics), apart from the public one; unset = none.
    metrics_port: int | None = None
    metrics_host: str = "127.0.0.1"

    #: Names of SecretStr (or name -> SecretStr) fields that must hold a real value outside development.
    required_secrets: tuple[str, ...] = ()
    #: Names of URL fields that must be https:// in production.
    public_urls: tuple[str, ...] = ()
    #: Names of fields whose default is a developer's machine: production needs them set.
    explicit_in_production: tuple[str, ...] = ()

    def _env_name(self, name: str) -> str:
        return f"{self.model_config.get('env_prefix', '')}{name.upper()}"

    @model_validator(mode="after")
    def _refuse_unsafe_values(self) -> BaseServiceSettings:
        if self.environment == "development":
            return self
        for name in self.required_secrets:
            for label, secret in _secret_values(name, getattr(self, name, None)):
                self._check_secret(label, secret)
        if self.environment == "production":
            for name in self.explicit_in_production:
                if name not in self.model_fields_set:
                    raise ValueError(f"{self._env_name(name)} must be set explicitly in production")
            for name in self.public_urls:
                if not str(getattr(self, name)).startswith("https://"):
                    raise ValueError(f"{self._env_name(name)} must be an https:// URL in production")
        return self

    def _check_secret(self, label: str, secret: str | None) -> None:
        if not secret or secret in PLACEHOLDER_SECRETS:
            raise ValueError(
                f"{self._env_name(label)} must be set to a real secret when environment={self.environment}"
            )
        if self.environment == "production" and len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"{self._env_name(label)} must be at least {MIN_SECRET_BYTES} bytes in production"
            )


def _secret_values(name: str, value: object) -> list[tuple[str, str | None]]:
    """(label, secret) pairs of a secret field; a mapping yields one pair per key (``NAME__KEY``)."""
    if isinstance(value, dict):
        if not value:
            return [(name, None)]
        return [(f"{name}__{key}", _plain(item)) for key, item in value.items()]
    return [(name, _plain(value))]


def _plain(value: object) -> str | None:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return value if isinstance(value, str) else None


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """The settings from the environment, or :class:`SettingsError` with a one-line reason."""
    try:
        return cls()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"configuration error: {message}" + (f" ({where})" if where else "")) from None
