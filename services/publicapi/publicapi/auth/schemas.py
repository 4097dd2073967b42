"""Who is calling: the account behind a bearer API key."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AuthContext:
    account_id: str
    token_type: str  # CARD (DIRECT_DEBIT is not supported)
    token_link: str
