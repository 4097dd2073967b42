"""A connector that accepts the connection and never answers must not hang a public request.

A real socket server (not a mock transport) so that httpx's own read timeout is exercised:
it answers the API-key look-up at once and stalls on everything else.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from pay_common.api_keys import make_key
from publicapi.app import create_app
from publicapi.config import Settings

pytestmark = pytest.mark.asyncio

AUTH_BODY = json.dumps({"account_id": "1", "token_type": "CARD", "token_link": "l"}).encode()


async def _serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    request_line = await reader.readline()
    while (await reader.readline()) not in (b"\r\n", b""):
        pass
    if b"/v1/api/auth" in request_line:
        head = (
            f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(AUTH_BODY)}\r\n\r\n"
        )
        writer.write(head.encode() + AUTH_BODY)
        await writer.drain()
    else:
        await asyncio.sleep(30)  # a stalled connector
    writer.close()


@pytest_asyncio.fixture
async def stalled_connector_url() -> AsyncIterator[str]:
    handlers: set[asyncio.Task[object]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        await _serve(reader, writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        # close() only stops listening: the stalled handler would sleep on past the test.
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)


async def test_stalled_connector_becomes_p0298_within_the_read_timeout(stalled_connector_url: str) -> None:
    settings = Settings(
        base_url="http://publicapi.test",
        connector_url=stalled_connector_url,
        connector_read_timeout=0.3,
        log_json=True,
    )
    app = create_app(settings)
    key = make_key("stalltoken000000000000000000000", settings.token_api_hmac_secret.get_secret_value())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://publicapi.test") as client:
            async with asyncio.timeout(5):
                response = await client.get("/v1/payments/p1", headers={"Authorization": f"Bearer {key}"})

    assert response.status_code == 500
    assert response.json() == {"code": "P0298", "description": "Downstream system error"}
