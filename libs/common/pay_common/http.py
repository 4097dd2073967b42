"""Long-lived httpx clients with explicit timeouts and request-id propagation."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, Protocol

import httpx
from pydantic import SecretStr

from pay_common.asgi import REQUEST_ID_HEADER, request_id_var
from pay_common.service_auth import ServiceTokenSigner
from pay_common.tracing import instrument_client

#: Connections per pool of :class:`ShardedPoolTransport`.
CONNECTIONS_PER_POOL = 4
#: :func:`make_async_client`'s defaults, which :func:`connector_client` keeps too.
CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0
MAX_CONNECTIONS = 100


async def _add_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


class _CountedStream(httpx.AsyncByteStream):
    """A response body that tells its pool's counter when it is closed (the connection is free)."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


class ShardedPoolTransport(httpx.AsyncBaseTransport):
    """Several small httpx connection pools behind one transport.

    httpcore's pool re-examines every pooled connection each time a request starts or ends
    (an expiry check that polls the socket, and an idle count that is quadratic in the pool's
    size): with 32 concurrent calls to connector that was 40% of publicapi's CPU
    (docs/benchmarks.md). Pools of :data:`CONNECTIONS_PER_POOL` keep each pass short; each
    request goes to the pool with the fewest requests in flight.
    """

    def __init__(self, *, max_connections: int, max_keepalive: int, keepalive_expiry: float) -> None:
        shards = max(1, math.ceil(max_connections / CONNECTIONS_PER_POOL))
        per_pool = math.ceil(max_connections / shards)
        keepalive_per_pool = max(1, math.ceil(max_keepalive / shards))
        self._pools = [
            httpx.AsyncHTTPTransport(
                limits=httpx.Limits(
                    max_connections=per_pool,
                    max_keepalive_connections=min(per_pool, keepalive_per_pool),
                    keepalive_expiry=keepalive_expiry,
                )
            )
            for _ in range(shards)
        ]
        self._in_flight = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        index = min(range(len(self._pools)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1

        def release() -> None:
            self._in_flight[index] -= 1

        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            release()
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _CountedStream(response.stream, release)
        return response

    @property
    def in_flight(self) -> int:
        """Requests sent and not yet read to the end: 0 when every connection is free."""
        return sum(self._in_flight)

    @property
    def pools(self) -> int:
        return len(self._pools)

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()


def make_async_client(
    base_url: str,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    pool_timeout: float = 2.0,
    max_connections: int = MAX_CONNECTIONS,
    max_keepalive: int = 50,
    keepalive_expiry: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
    service_token: ServiceTokenSigner | None = None,
) -> httpx.AsyncClient:
    """One client per upstream per process, built in the app's lifespan.

    ``transport`` lets tests route calls to an in-process app or a MockTransport; otherwise
    the calls go through a :class:`ShardedPoolTransport`.

    ``keepalive_expiry`` stays well under uvicorn's 5 s keep-alive timeout: with equal
    timeouts the server could close an idle connection just as the client reused it, and that
    request failed with a ``ReadError`` (seen under load in the create-payment benchmark).

    ``service_token`` signs every call (connector refuses its API routes without a token).
    """
    hooks: list[Callable[[httpx.Request], Awaitable[None]]] = [_add_request_id]
    if service_token is not None:
        hooks.append(service_token.add_to)
    client = httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=pool_timeout
        ),
        transport=transport
        or ShardedPoolTransport(
            max_connections=max_connections, max_keepalive=max_keepalive, keepalive_expiry=keepalive_expiry
        ),
        event_hooks={"request": hooks},
    )
    instrument_client(client)
    return client


class ConnectorCallerSettings(Protocol):
    """The settings of a service that calls connector: where it is, and the key this service
    signs its calls with (connector's ``service_token_keys[caller]``)."""

    connector_url: str
    service_token_key: SecretStr


@asynccontextmanager
async def connector_client(
    app: Any,
    settings: ConnectorCallerSettings,
    *,
    caller: str,
    transport: httpx.AsyncBaseTransport | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
    read_timeout: float = READ_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
) -> AsyncIterator[httpx.AsyncClient]:
    """For an app's lifespan: its one long-lived client to connector, every call signed as
    ``caller``, kept on ``app.state.connector_http`` (where the service's request dependencies
    find it) and closed when the app stops. ``transport``: as for :func:`make_async_client`."""
    client = make_async_client(
        settings.connector_url,
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        max_connections=max_connections,
        transport=transport,
        service_token=ServiceTokenSigner(caller, settings.service_token_key.get_secret_value()),
    )
    async with client as app.state.connector_http:
        yield client
