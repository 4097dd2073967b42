"""HTTP metrics: counted by route template and status, served on their own listener only."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from pay_common.metrics import MetricsMiddleware, serving_metrics


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/v1/things/{thing_id}")
    async def thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    app.add_middleware(MetricsMiddleware, service="metrics-test")
    return app


def _sample(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in labels.items())
    for line in text.splitlines():
        if line.startswith(f"{name}{{") and all(part in line for part in wanted.split(",")):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.mark.asyncio
async def test_requests_are_counted_by_route_template_on_the_metrics_port_only() -> None:
    app = _app()
    with serving_metrics(app, "127.0.0.1", 0):
        port = app.state.metrics_server.port
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://a.test"
        ) as client:
            for thing_id in ("a", "b", "c"):
                assert (await client.get(f"/v1/things/{thing_id}")).status_code == 200
            assert (await client.get("/nowhere")).status_code == 404
            public_metrics = await client.get("/metrics")
        async with httpx.AsyncClient() as scraper:
            scraped = (await scraper.get(f"http://127.0.0.1:{port}/metrics")).text

    assert public_metrics.status_code == 404
    labels = {"service": "metrics-test", "method": "GET"}
    assert (
        _sample(scraped, "pay_http_requests_total", **labels, route="/v1/things/{thing_id}", status="200")
        == 3
    )
    assert _sample(scraped, "pay_http_requests_total", **labels, route="<unmatched>", status="404") == 2
    assert 'route="/v1/things/a"' not in scraped
    assert (
        _sample(scraped, "pay_http_request_duration_seconds_count", **labels, route="/v1/things/{thing_id}")
        == 3
    )


def test_the_metrics_listener_stops_with_the_app() -> None:
    app = _app()
    with serving_metrics(app, "127.0.0.1", 0):
        port = app.state.metrics_server.port
        assert httpx.get(f"http://127.0.0.1:{port}/metrics").status_code == 200

    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)


def test_no_listener_without_a_port() -> None:
    app = _app()
    with serving_metrics(app, "127.0.0.1", None):
        assert app.state.metrics_server is None
