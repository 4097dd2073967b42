from __future__ import annotations

import json

import pytest

from pay_common.logging import configure_logging, get_logger


def test_sensitive_keys_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(service="test", json=True)
    capsys.readouterr()

    get_logger("t").info("card.seen", card_number="4242424242424242", cvc="123", last_digits="4242")

    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["card_number"] == "[redacted]"
    assert line["cvc"] == "[redacted]"
    assert line["last_digits"] == "4242"
    assert line["service"] == "test"
