from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from pay_common.settings import BaseServiceSettings, SettingsError, load_settings

#: Production needs at least 32 bytes.
REAL_SECRET = "s3cr3t-value-long-enough-for-production"


class ExampleSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    api_secret: SecretStr = SecretStr("development-only-secret")
    required_secrets: tuple[str, ...] = ("api_secret",)


def test_development_accepts_the_placeholder_secret() -> None:
    settings = ExampleSettings(environment="development")

    assert settings.api_secret.get_secret_value() == "development-only-secret"


@pytest.mark.parametrize("environment", ["testing", "production"])
def test_other_environments_refuse_a_placeholder_secret(environment: str) -> None:
    with pytest.raises(ValidationError, match="EXAMPLE_API_SECRET must be set"):
        ExampleSettings(environment=environment)


def test_a_real_secret_is_accepted_and_hidden_from_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLE_API_SECRET", REAL_SECRET)

    settings = ExampleSettings(environment="production")

    assert settings.api_secret.get_secret_value() == REAL_SECRET
    assert REAL_SECRET not in repr(settings)


class PublicSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EXAMPLE_")

    api_secret: SecretStr = SecretStr(REAL_SECRET)
    keys: dict[str, SecretStr] = {"caller": SecretStr(REAL_SECRET)}
    base_url: str = "http://localhost:9100"
    database_url: str = "postgresql://postgres@127.0.0.1/pay"
    required_secrets: tuple[str, ...] = ("api_secret", "keys")
    public_urls: tuple[str, ...] = ("base_url",)
    explicit_in_production: tuple[str, ...] = ("database_url",)


PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "base_url": "https://pay.example",
    "database_url": "postgresql://db/pay",
}


def test_production_accepts_long_secrets_https_urls_and_explicit_values() -> None:
    settings = PublicSettings(**PRODUCTION)

    assert settings.base_url == "https://pay.example"


def test_production_refuses_a_short_secret_but_testing_accepts_it() -> None:
    with pytest.raises(ValidationError, match="EXAMPLE_API_SECRET must be at least 32 bytes in production"):
        PublicSettings(**{**PRODUCTION, "api_secret": "x"})

    assert PublicSettings(environment="testing", api_secret="x").api_secret.get_secret_value() == "x"


def test_production_checks_every_key_of_a_secret_mapping() -> None:
    with pytest.raises(ValidationError, match="EXAMPLE_KEYS__WEBHOOKS must be at least 32 bytes"):
        PublicSettings(**{**PRODUCTION, "keys": {"caller": REAL_SECRET, "webhooks": "short"}})
    with pytest.raises(ValidationError, match="EXAMPLE_KEYS must be set to a real secret"):
        PublicSettings(**{**PRODUCTION, "keys": {}})


def test_production_refuses_an_http_public_url() -> None:
    with pytest.raises(ValidationError, match="EXAMPLE_BASE_URL must be an https:// URL in production"):
        PublicSettings(**{**PRODUCTION, "base_url": "http://pay.example"})


def test_production_refuses_a_development_default_left_unset() -> None:
    with pytest.raises(ValidationError, match="EXAMPLE_DATABASE_URL must be set explicitly in production"):
        PublicSettings(environment="production", base_url="https://pay.example")


def test_load_settings_exits_with_one_line_naming_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXAMPLE_ENVIRONMENT", "production")
    monkeypatch.setenv("EXAMPLE_BASE_URL", "https://pay.example")
    monkeypatch.setenv("EXAMPLE_DATABASE_URL", "postgresql://db/pay")
    monkeypatch.setenv("EXAMPLE_API_SECRET", "short")

    with pytest.raises(SettingsError) as refused:
        load_settings(PublicSettings)

    assert (
        str(refused.value)
        == "configuration error: EXAMPLE_API_SECRET must be at least 32 bytes in production"
    )
