"""Name resolution, in one replaceable place: callback URLs are checked against what their
host resolves to, on create and again at every connection (tests give a fixed table)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable

#: (host, port) → the addresses to try, in order; raises OSError when the name does not resolve.
Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolver(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]
