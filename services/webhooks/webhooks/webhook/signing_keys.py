"""Signing keys: ``webhook_live_``/``webhook_test_`` + an id (≤ 39 characters, §A1).

A key must be readable to sign every message, so it cannot be hashed; it is stored as a
Fernet token (AES-128-CBC + HMAC-SHA256) under a key derived from the
``signing_key_encryption_secret`` setting, and a database dump alone reveals no key.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet

from webhooks.ids import new_webhooks_id


def new_signing_key(*, live: bool) -> str:
    return ("webhook_live_" if live else "webhook_test_") + new_webhooks_id()


class SigningKeyCipher:
    def __init__(self, secret: str) -> None:
        derived = hashlib.sha256(b"pay-webhooks signing keys\x00" + secret.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, signing_key: str) -> str:
        return self._fernet.encrypt(signing_key.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()
