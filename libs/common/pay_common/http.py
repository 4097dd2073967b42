"""Long-lived httpx clients with explicit timeouts and request-id propagation."""

from __future__ import annotations

import httpx

from pay_common.asgi import REQUEST_ID_HEADER, request_id_var


async def _add_request_id(request: httpx.Request) -> None:
    request_id = request_id_var.get()
    if request_id and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = request_id


def make_async_client(
    base_url: str,
    *,
    connect_timeout: float = 2.0,
    read_timeout: float = 10.0,
    pool_timeout: float = 2.0,
    max_connections: int = 100,
    max_keepalive: int = 50,
    keepalive_expiry: float = 2.0,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One client per upstream per process, built in the app's lifespan.

    ``transport`` lets tests route calls to an in-process app or a MockTransport.

    ``keepalive_expiry`` stays well under uvicorn's 5 s keep-alive timeout: with equal
    timeouts the server could close an idle connection just as the client reused it, and that
    request failed with a ``ReadError`` (seen under load in the create-payment benchmark).
    """
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=pool_timeout
        ),
        limits=httpx.Limits(
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive,
            keepalive_expiry=keepalive_expiry,
        ),
        transport=transport,
        event_hooks={"request": [_add_request_id]},
    )
