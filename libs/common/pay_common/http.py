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
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """One client per upstream per process, built in the app's lifespan.

    ``transport`` lets tests route calls to an in-process app or a MockTransport.
    """
    return httpx.AsyncClient(
        base_url=base_url,
        timeout=httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=read_timeout, pool=pool_timeout
        ),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive),
        transport=transport,
        event_hooks={"request": [_add_request_id]},
    )
