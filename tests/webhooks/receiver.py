"""A webhook receiver: a real HTTP server on a free port that records what it is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.served import serve_in_loop


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    url: str
    #: Status codes to answer with, in order; 200 once they run out.
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@asynccontextmanager
async def serve_receiver(answers: list[int] | None = None) -> AsyncIterator[Receiver]:
    received: list[Received] = []
    pending = list(answers or [])

    async def hook(request: Request) -> Response:
        received.append(Received(await request.body(), dict(request.headers)))
        return Response(status_code=pending.pop(0) if pending else 200)

    async with serve_in_loop(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as url:
        yield Receiver(url=f"{url}/hook", answers=pending, received=received)
