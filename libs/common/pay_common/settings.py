"""Settings shared by every service.

Each service subclasses :class:`BaseServiceSettings` with its own ``env_prefix``
(``CONNECTOR_``, ``PUBLICAPI_``, ``FRONTEND_``). Settings fail closed: a secret that is
missing or still holds a development placeholder refuses to load outside development.
"""

from __future__ import annotations

from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "testing", "production"]

#: Values that only make sense on a developer's machine.
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "development-only-secret"})


class BaseServiceSettings(BaseSettings):
    """What every service needs: where it runs, how it logs, and a guard on secrets."""

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

    #: Names of SecretStr fields that must hold a real value outside development.
    required_secrets: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> BaseServiceSettings:
        if self.environment == "development":
            return self
        for name in self.required_secrets:
            value = getattr(self, name, None)
            secret = value.get_secret_value() if isinstance(value, SecretStr) else value
            if not secret or secret in PLACEHOLDER_SECRETS:
                prefix = str(self.model_config.get("env_prefix", ""))
                raise ValueError(
                    f"{prefix}{name.upper()} must be set to a real secret when environment={self.environment}"
                )
        return self
