from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError
from pydantic_settings import SettingsConfigDict

from pay_common.settings import BaseServiceSettings


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
    monkeypatch.setenv("EXAMPLE_API_SECRET", "s3cr3t-value")

    settings = ExampleSettings(environment="production")

    assert settings.api_secret.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(settings)
