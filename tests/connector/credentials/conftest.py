"""The account tests' table snapshot, reused to prove rejected credential requests change nothing."""

from __future__ import annotations

from tests.connector.accounts.conftest import snapshot

__all__ = ["snapshot"]
