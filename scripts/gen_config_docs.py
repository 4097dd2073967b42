"""Write docs/configuration.md from the services' settings classes (the code is the source of truth).

Run: ``.venv/bin/python -m scripts.gen_config_docs``; a test checks the file is current.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, SecretStr
from pydantic_settings import BaseSettings

from connector.config import Settings as ConnectorSettings
from frontend.config import Settings as FrontendSettings
from publicapi.config import Settings as PublicApiSettings
from webhooks.config import Settings as WebhooksSettings

OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
SERVICES: list[tuple[str, type[BaseSettings]]] = [
    ("connector", ConnectorSettings),
    ("publicapi", PublicApiSettings),
    ("payment pages (frontend)", FrontendSettings),
    ("webhooks", WebhooksSettings),
]
HIDDEN = {"required_secrets"}


def env_names(settings: type[BaseSettings], name: str) -> list[str]:
    field = settings.model_fields[name]
    alias = field.validation_alias
    if isinstance(alias, AliasChoices):
        return [str(choice) for choice in alias.choices]
    if isinstance(alias, str):
        return [alias]
    prefix = str(settings.model_config.get("env_prefix", ""))
    return [f"{prefix}{name}".upper()]


def default_of(settings: type[BaseSettings], name: str) -> str:
    default = settings.model_fields[name].default
    if isinstance(default, SecretStr):
        return "development placeholder (refused outside development)"
    if isinstance(default, tuple | list | frozenset | set):
        return ", ".join(str(item) for item in default) or "(empty)"
    return "(unset)" if default is None else f"`{default}`"


def render() -> str:
    lines = [
        "# Configuration",
        "",
        "Generated from the settings classes by `python -m scripts.gen_config_docs`; do not edit by hand.",
        "Where a variable has two names, either works (the second is the original GOV.UK Pay name).",
        "",
    ]
    for title, settings in SERVICES:
        lines += [f"## {title}", "", "| Variable | Default |", "| --- | --- |"]
        for name in settings.model_fields:
            if name in HIDDEN:
                continue
            names = " or ".join(f"`{env}`" for env in env_names(settings, name))
            lines.append(f"| {names} | {default_of(settings, name)} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main()
