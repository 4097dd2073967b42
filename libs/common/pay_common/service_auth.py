"""Service-to-service authentication: short-lived signed tokens in ``X-Service-Token``.

Callers of connector (publicapi, the payment pages, later the webhooks service, and the
operators' ``pay-admin``) sign a JWT (HS256) with *their own* key: the token names the caller
(``iss``), the callee (``aud``) and expires within :data:`MAX_TTL_SECONDS`. Connector keeps one
key per caller, so a leaked key is revoked by changing one caller's key, and a caller's name in
the log line cannot be forged by another caller.

A separate header keeps ``Authorization`` free for what the contract puts there (the API key
that publicapi asks connector to resolve on ``GET /v1/api/auth``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx
import jwt
import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from pay_common.logging import get_logger

SERVICE_TOKEN_HEADER = "x-service-token"
ALGORITHM = "HS256"
#: The upper bound on a token's lifetime, whoever minted it (``pay-admin service-token`` too).
MAX_TTL_SECONDS = 3600
#: Tolerated clock difference between caller and connector.
LEEWAY_SECONDS = 5
#: HMAC keys shorter than this are guessable offline from one captured token (RFC 7518 §3.2).
MIN_KEY_BYTES = 32
#: The key every side uses in development (a placeholder: refused outside development).
DEVELOPMENT_KEY = "development-only-service-token-key"

logger = get_logger(__name__)


class InvalidServiceToken(Exception):
    """The token is missing, malformed, expired, for someone else, or signed with the wrong key."""


@dataclass
class ServiceTokenSigner:
    """Mints the caller's tokens; one token is reused until half its lifetime has passed."""

    caller: str
    key: str
    audience: str = "connector"
    ttl_seconds: int = 60
    _cached: tuple[str, float] | None = field(default=None, init=False, repr=False)

    def mint(self, ttl_seconds: int | None = None, *, now: float | None = None) -> str:
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        if not 0 < ttl <= MAX_TTL_SECONDS:
            raise ValueError(f"a service token lives between 1 and {MAX_TTL_SECONDS} seconds, not {ttl}")
        issued = int(time.time() if now is None else now)
        claims = {"iss": self.caller, "aud": self.audience, "iat": issued, "exp": issued + ttl}
        return jwt.encode(claims, self.key, algorithm=ALGORITHM)

    def token(self) -> str:
        """A valid token, minted afresh only when the cached one is past half its life (cheap per call)."""
        now = time.time()
        if self._cached is None or now >= self._cached[1]:
            self._cached = (self.mint(now=now), now + self.ttl_seconds / 2)
        return self._cached[0]

    async def add_to(self, request: httpx.Request) -> None:
        """httpx request hook: every call to the callee carries a token."""
        request.headers[SERVICE_TOKEN_HEADER] = self.token()


class ServiceTokenVerifier:
    """Checks a token against the key of the caller it names."""

    def __init__(self, keys: Mapping[str, str], *, audience: str = "connector") -> None:
        self._keys = dict(keys)
        self._audience = audience

    def verify(self, token: str) -> str:
        """The caller's name, or :class:`InvalidServiceToken`."""
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
            caller = unverified.get("iss")
            key = self._keys.get(caller) if isinstance(caller, str) else None
            if key is None or not isinstance(caller, str):
                raise InvalidServiceToken("unknown caller")
            claims = jwt.decode(
                token,
                key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=caller,
                leeway=LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "iat", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise InvalidServiceToken(type(exc).__name__) from exc
        # A token minted with a longer life than we allow is refused, even if the key is right.
        if int(claims["exp"]) - int(claims["iat"]) > MAX_TTL_SECONDS:
            raise InvalidServiceToken("lifetime too long")
        return caller


_UNAUTHORISED_BODY = b'{"message":["A valid service token is required"]}'


class ServiceAuthMiddleware:
    """Answers 401 to requests under ``protected_prefixes`` without a valid service token.

    Health checks, metrics and documentation stay open: only the API routes are guarded.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: ServiceTokenVerifier,
        protected_prefixes: tuple[str, ...] = ("/v1/api", "/v1/frontend", "/v1/tasks"),
        open_prefixes: tuple[str, ...] = (),
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.protected_prefixes = protected_prefixes
        self.open_prefixes = open_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(self.protected_prefixes) or (
            self.open_prefixes and path.startswith(self.open_prefixes)
        ):
            await self.app(scope, receive, send)
            return
        token = _header(scope, SERVICE_TOKEN_HEADER)
        try:
            if token is None:
                raise InvalidServiceToken("missing")
            caller = self.verifier.verify(token)
        except InvalidServiceToken as exc:
            logger.warning("service_auth.refused", path=scope["path"], reason=str(exc))
            await _unauthorised(send)
            return
        structlog.contextvars.bind_contextvars(caller=caller)
        try:
            await self.app(scope, receive, send)
        finally:
            structlog.contextvars.unbind_contextvars("caller")


def _header(scope: Scope, name: str) -> str | None:
    wanted = name.encode()
    for key, value in scope.get("headers", ()):
        if key == wanted:
            decoded: str = value.decode("latin-1")
            return decoded
    return None


async def _unauthorised(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(_UNAUTHORISED_BODY)).encode()),
                (b"www-authenticate", b'Bearer realm="connector"'),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _UNAUTHORISED_BODY})
