"""The service-to-service client over real sockets: pooled connections, reuse, failures."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio

from pay_common.http import ShardedPoolTransport, make_async_client

pytestmark = pytest.mark.asyncio


class Upstream:
    """A minimal HTTP/1.1 keep-alive server: answers every request after ``delay`` seconds with
    the number of the connection it came on, and counts connections and concurrent requests."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.connections = 0
        self.active = 0
        self.most_active = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop listening; calling it again does nothing."""
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                self.active += 1
                self.most_active = max(self.most_active, self.active)
                await asyncio.sleep(self.delay)
                self.active -= 1
                body = str(number).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest_asyncio.fixture
async def upstream() -> AsyncIterator[Upstream]:
    server = Upstream(delay=0.05)
    await server.start()
    yield server
    await server.stop()


async def test_concurrent_calls_share_a_bounded_set_of_reused_connections(upstream: Upstream) -> None:
    async with make_async_client(f"http://127.0.0.1:{upstream.port}", max_connections=8) as client:
        transport = client._transport
        assert isinstance(transport, ShardedPoolTransport)
        assert transport.pools == 2

        first = await asyncio.gather(*(client.get("/x") for _ in range(20)))
        second = await asyncio.gather(*(client.get("/x") for _ in range(8)))

        assert all(r.status_code == 200 for r in first + second)
        # Never more than max_connections open, all of them in use at once, and kept for
        # the next burst instead of reconnecting.
        assert upstream.connections == 8
        assert upstream.most_active == 8
        assert {r.text for r in second} <= {str(n) for n in range(1, 9)}
        assert transport.in_flight == 0


async def test_a_failed_call_frees_its_place(upstream: Upstream) -> None:
    await upstream.stop()  # nothing listens any more
    async with make_async_client(f"http://127.0.0.1:{upstream.port}", max_connections=8) as client:
        transport = client._transport
        assert isinstance(transport, ShardedPoolTransport)

        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await client.get("/x")

        assert transport.in_flight == 0


async def test_a_streamed_body_holds_its_place_until_closed(upstream: Upstream) -> None:
    async with make_async_client(f"http://127.0.0.1:{upstream.port}", max_connections=8) as client:
        transport = client._transport
        assert isinstance(transport, ShardedPoolTransport)

        async with client.stream("GET", "/x") as response:
            assert transport.in_flight == 1
            assert await response.aread() == b"1"
        assert transport.in_flight == 0
