"""Message catalogues, one per language (``en.json``, ``cy.json``), with a strict lookup.

The language of every page is the charge's ``language`` (fact sheet B9); there is no toggle.
A key missing from a catalogue raises, as pay-frontend's strict translate helper does, and a test
checks both catalogues hold the same keys, so a Welsh page can never fall back to English silently.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "cy")
DEFAULT_LANGUAGE = "en"
_DIR = Path(__file__).resolve().parent


@cache
def catalogue(language: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((_DIR / f"{language}.json").read_text(encoding="utf-8"))
    return data


def normalise(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


class Translator:
    """``t("key", name=...)``: the message for ``key`` in one language, ``{name}`` placeholders filled."""

    def __init__(self, language: str | None) -> None:
        self.language = normalise(language)
        self._messages = catalogue(self.language)

    def has(self, key: str) -> bool:
        return key in self._messages

    def __call__(self, key: str, **values: Any) -> str:
        message = self._messages[key]
        return message.format(**values) if values else message
