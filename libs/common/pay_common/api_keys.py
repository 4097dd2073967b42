"""The API-key format shared by connector (which mints keys) and publicapi (which checks them).

``api key = token + checksum``: the checksum is the last :data:`CHECKSUM_LENGTH` characters,
HMAC-SHA1 of the UTF-8 token under ``TOKEN_API_HMAC_SECRET``, base32hex (``0-9a-v``), lower
case, no padding (publicapi.md §b.1). The checksum lets publicapi reject forged or mistyped
keys without a database look-up; only a hash of the token is ever stored (:func:`token_hash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

BEARER_PREFIX = "Bearer "
CHECKSUM_LENGTH = 32
#: The shortest key the original accepts: at least one token character before the checksum.
MIN_KEY_LENGTH = CHECKSUM_LENGTH + 1
#: Random bytes in a new token; base32hex gives 32 characters for 20 bytes.
TOKEN_BYTES = 20


def _secret_bytes(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def checksum(token: str, secret: str | bytes) -> str:
    """The 32-character checksum of ``token``."""
    digest = hmac.new(_secret_bytes(secret), token.encode("utf-8", "surrogatepass"), hashlib.sha1).digest()
    return base64.b32hexencode(digest).decode().lower().rstrip("=")


def new_token() -> str:
    """A fresh random token (the part of the key before the checksum)."""
    return base64.b32hexencode(secrets.token_bytes(TOKEN_BYTES)).decode().lower().rstrip("=")


def make_key(token: str, secret: str | bytes) -> str:
    return token + checksum(token, secret)


def generate_key(secret: str | bytes) -> tuple[str, str]:
    """A new ``(token, api_key)`` pair."""
    token = new_token()
    return token, make_key(token, secret)


def split_key(api_key: str) -> tuple[str, str] | None:
    """``(token, checksum)``, or ``None`` when the key is too short to hold both."""
    if len(api_key) < MIN_KEY_LENGTH:
        return None
    return api_key[:-CHECKSUM_LENGTH], api_key[-CHECKSUM_LENGTH:]


def verify_key(api_key: str, secret: str | bytes) -> bool:
    """True when the key is long enough and its checksum matches (constant-time compare)."""
    parts = split_key(api_key)
    if parts is None:
        return False
    token, given = parts
    return hmac.compare_digest(checksum(token, secret).encode(), given.encode("utf-8", "surrogatepass"))


def key_from_authorization(header: str | None) -> str | None:
    """The key of an ``Authorization: Bearer <key>`` header (exact, case-sensitive prefix)."""
    if header is None or not header.startswith(BEARER_PREFIX):
        return None
    return header[len(BEARER_PREFIX) :]


def token_hash(token: str) -> str:
    """What connector stores instead of the token: SHA-256 hex of the token part.

    The token already carries 160 random bits, so a plain hash cannot be brute-forced;
    no extra secret is needed to keep a stolen table useless.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def key_hash(api_key: str) -> str:
    """A SHA-256 of the whole key, for cache keys and logs that must never hold the key."""
    return hashlib.sha256(api_key.encode("utf-8", "surrogatepass")).hexdigest()
