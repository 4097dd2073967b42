"""docs/configuration.md is generated from the settings classes; it must match the code."""

from __future__ import annotations

from scripts.gen_config_docs import OUTPUT, render


def test_configuration_doc_is_current() -> None:
    assert OUTPUT.read_text() == render(), "run: .venv/bin/python -m scripts.gen_config_docs"
