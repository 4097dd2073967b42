from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI, Request
from starlette.types import Message, Scope

from pay_common.asgi import MaxBodySizeMiddleware, RequestIdMiddleware, request_id_var
from pay_common.errors import AppError, install_error_handlers
from pay_common.http import make_async_client
from pay_common.logging import configure_logging


def build_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/whoami")
    async def whoami() -> dict[str, str | None]:
        return {"request_id": request_id_var.get()}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/expected")
    async def expected() -> None:
        raise AppError(
            "Charge with id [abc] not found.", status_code=404, error_identifier="CHARGE_NOT_FOUND"
        )

    app.add_middleware(MaxBodySizeMiddleware, max_bytes=100)
    app.add_middleware(RequestIdMiddleware)
    return app


@pytest.fixture
def client() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.mark.asyncio
async def test_request_id_is_bound_for_the_request_and_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/whoami", headers={"X-Request-Id": "req-42"})

    assert response.json() == {"request_id": "req-42"}
    assert response.headers["x-request-id"] == "req-42"


@pytest.mark.asyncio
async def test_a_malformed_request_id_is_replaced(client: httpx.AsyncClient) -> None:
    response = await client.get("/whoami", headers={"X-Request-Id": "bad id with spaces\nand newline"})

    generated = response.headers["x-request-id"]
    assert generated != "bad id with spaces\nand newline"
    assert response.json() == {"request_id": generated}


@pytest.mark.asyncio
async def test_access_line_is_json_with_the_request_id(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(service="test", json=True)
    capsys.readouterr()

    await client.get("/whoami", headers={"X-Request-Id": "req-log"})

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["event"] == "http.request"]
    assert access[0]["request_id"] == "req-log"
    assert access[0]["status"] == 200
    assert access[0]["path"] == "/whoami"


@pytest.mark.asyncio
async def test_a_client_hanging_up_mid_body_is_logged_as_499_not_as_an_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(service="test", json=True)
    capsys.readouterr()
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/echo",
        "raw_path": b"/echo",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"test"), (b"content-length", b"50")],
        "client": ("127.0.0.1", 1234),
        "server": ("test", 80),
    }
    messages: list[Message] = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    await build_app()(scope, receive, send)  # must not raise

    assert sent == []  # nobody to answer
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [line["event"] for line in lines] == ["http.request"]
    assert lines[0]["status"] == 499
    assert lines[0]["path"] == "/echo"


@pytest.mark.asyncio
async def test_oversized_bodies_get_413(client: httpx.AsyncClient) -> None:
    small = await client.post("/echo", content=b"x" * 50)
    large = await client.post("/echo", content=b"x" * 500)

    assert small.json() == {"size": 50}
    assert large.status_code == 413


@pytest.mark.asyncio
async def test_oversized_streamed_bodies_without_length_get_413(client: httpx.AsyncClient) -> None:
    async def chunks():
        for _ in range(10):
            yield b"x" * 50

    response = await client.post("/echo", content=chunks())

    assert response.status_code == 413


@pytest.mark.asyncio
async def test_unhandled_errors_are_a_generic_500_without_internals(client: httpx.AsyncClient) -> None:
    response = await client.get("/boom")

    assert response.status_code == 500
    assert response.json() == {"error_identifier": "GENERIC", "message": ["Internal server error"]}
    assert "secret internals" not in response.text


@pytest.mark.asyncio
async def test_app_errors_render_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/expected")

    assert response.status_code == 404
    assert response.json() == {
        "error_identifier": "CHARGE_NOT_FOUND",
        "message": ["Charge with id [abc] not found."],
    }


@pytest.mark.asyncio
async def test_unknown_routes_get_the_envelope(client: httpx.AsyncClient) -> None:
    response = await client.get("/nowhere")

    assert response.status_code == 404
    assert response.json() == {"error_identifier": "GENERIC", "message": ["HTTP 404 Not Found"]}


@pytest.mark.asyncio
async def test_outgoing_calls_carry_the_current_request_id() -> None:
    seen: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-request-id"))
        return httpx.Response(200)

    token = request_id_var.set("flowing-id")
    try:
        async with make_async_client("http://upstream", transport=httpx.MockTransport(handler)) as client:
            await client.get("/x")
    finally:
        request_id_var.reset(token)

    assert seen == ["flowing-id"]
