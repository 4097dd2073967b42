"""Send one message: sign the body, POST it, turn what happened into an attempt's outcome.

The HTTP client never connects to a non-public address under the ``strict`` policy: the name
is resolved and checked inside the connection itself (:class:`PublicAddressBackend`), so the
address checked is the address used, and a DNS answer changed after the webhook was created
(DNS rebinding) cannot reach an internal service.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import time
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus

import httpcore
import httpx

from webhooks.resolver import Resolver, system_resolver
from webhooks.webhook.callback_url import is_public_address


def sign(body: bytes, signing_key: str) -> str:
    """``Pay-Signature``: lower-case hex HMAC-SHA256 of the exact body bytes under the whole key."""
    return hmac.new(signing_key.encode("utf-8"), body, hashlib.sha256).hexdigest()


class NonPublicAddress(httpcore.ConnectError):
    """The callback's host resolved to an address the strict policy never connects to."""


class PublicAddressBackend(httpcore.AsyncNetworkBackend):
    """A network backend that connects only to public addresses, resolved at connect time."""

    def __init__(self, resolver: Resolver, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await asyncio.wait_for(self._resolver(host, port), timeout)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        if not addresses or not all(is_public_address(ipaddress.ip_address(a)) for a in addresses):
            raise NonPublicAddress(f"{host} resolves to a non-public address")
        # TLS still verifies the certificate against ``host``: httpcore passes the URL's host
        # as the server name when it starts TLS on this stream.
        return await self._inner.connect_tcp(addresses[0], port, timeout, local_address, socket_options)

    async def connect_unix_socket(
        self,
        path: str,  # noqa: ARG002
        timeout: float | None = None,  # noqa: ARG002  (the interface's signature)
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,  # noqa: ARG002
    ) -> httpcore.AsyncNetworkStream:
        raise NonPublicAddress("unix sockets are never a callback")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def delivery_client(
    *, timeout: float, public_addresses_only: bool, resolver: Resolver = system_resolver
) -> httpx.AsyncClient:
    """The client every delivery uses: explicit timeouts, no redirects, TLS 1.2+ verified."""
    transport = httpx.AsyncHTTPTransport(retries=0, limits=httpx.Limits(max_connections=20))
    if public_addresses_only:
        # httpx takes no network backend; its pool is rebuilt with the guarded one, keeping
        # httpx's TLS context (certificate and hostname verification on).
        ssl_context = transport._pool._ssl_context
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=20,
            max_keepalive_connections=20,
            keepalive_expiry=5.0,
            retries=0,
            network_backend=PublicAddressBackend(resolver),
        )
    return httpx.AsyncClient(timeout=httpx.Timeout(timeout), transport=transport, follow_redirects=False)


@dataclass(frozen=True)
class Outcome:
    """What one attempt did: ``status`` is SUCCESSFUL, FAILED or WILL_NOT_SEND."""

    status: str
    result: str
    status_code: int | None = None
    response_time_ms: int | None = None


def _reason(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return str(code)


async def post(client: httpx.AsyncClient, url: str, body: bytes, signature: str) -> Outcome:
    """POST and classify as upstream's outcome rules (§A4)."""
    started = time.monotonic()
    headers = {"Content-Type": "application/json", "Pay-Signature": signature}
    try:
        response = await client.post(url, content=body, headers=headers)
    except httpx.ConnectError as exc:
        # httpx re-raises the backend's error as its own, the original as the cause.
        if isinstance(exc.__cause__, NonPublicAddress):
            return Outcome("WILL_NOT_SEND", "Violates security rules")
        return Outcome("FAILED", str(exc) or type(exc).__name__, response_time_ms=_elapsed(started))
    except (httpx.TimeoutException, httpx.RemoteProtocolError):
        return Outcome("FAILED", "HTTP Timeout", response_time_ms=_elapsed(started))
    except httpx.TransportError as exc:
        return Outcome("FAILED", str(exc) or type(exc).__name__, response_time_ms=_elapsed(started))
    except Exception:
        return Outcome("FAILED", "Unknown error", response_time_ms=_elapsed(started))
    elapsed = _elapsed(started)
    status = "SUCCESSFUL" if 200 <= response.status_code < 300 else "FAILED"
    return Outcome(status, _reason(response.status_code), response.status_code, elapsed)


def _elapsed(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
