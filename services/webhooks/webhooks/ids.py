"""Webhook and message ids: 130 random bits in base 32, leading zeros dropped (§A1)."""

from __future__ import annotations

from pay_common.ids import new_external_id


def new_webhooks_id() -> str:
    return new_external_id().lstrip("0") or "0"
