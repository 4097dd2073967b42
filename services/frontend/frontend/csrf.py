"""CSRF tokens for every form POST (fact sheet B6).

A random secret per session (kept in the signed cookie); each rendered form gets a fresh token
``<salt>-<HMAC-SHA256(secret, salt)>``, like the npm ``csrf`` package pay-frontend uses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from frontend.session import Session

_KEY = "csrf_secret"


def _secret(session: Session) -> str:
    secret = session.get(_KEY)
    if not isinstance(secret, str) or not secret:
        secret = secrets.token_urlsafe(18)
        session[_KEY] = secret
    return secret


def _digest(secret: str, salt: str) -> str:
    mac = hmac.new(secret.encode(), salt.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def new_token(session: Session) -> str:
    salt = secrets.token_hex(6)  # hex: never contains the "-" separator
    return f"{salt}-{_digest(_secret(session), salt)}"


def has_secret(session: Session) -> bool:
    return isinstance(session.get(_KEY), str)


def is_valid(session: Session, token: str | None) -> bool:
    secret = session.get(_KEY)
    if not isinstance(secret, str) or not token or "-" not in token:
        return False
    salt, _, digest = token.partition("-")
    return hmac.compare_digest(digest, _digest(secret, salt))
