"""Identifier generators, in the formats the real GOV.UK Pay services use (connector.md §5.1)."""

from __future__ import annotations

import secrets
import uuid

_BASE32_DIGITS = "0123456789abcdefghijklmnopqrstuv"
EXTERNAL_ID_LENGTH = 26


def new_external_id() -> str:
    """130 random bits in base 32 (digits ``0-9a-v``), left-padded to 26 characters.

    Used for charge, refund, agreement and payment-instrument external ids.
    """
    value = secrets.randbits(130)
    digits = []
    while value:
        value, remainder = divmod(value, 32)
        digits.append(_BASE32_DIGITS[remainder])
    return "".join(reversed(digits)).rjust(EXTERNAL_ID_LENGTH, "0")


def new_uuid_hex() -> str:
    """A UUID v4 without dashes (32 lower-case hex characters): account and credential external ids."""
    return uuid.uuid4().hex


def new_uuid() -> str:
    """A UUID v4 with dashes (36 characters): one-time secure-redirect tokens, gateway transaction ids."""
    return str(uuid.uuid4())


def is_valid_external_id(value: str) -> bool:
    """The real service checks only the length of an external id."""
    return len(value) == EXTERNAL_ID_LENGTH
