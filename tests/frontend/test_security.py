"""Failures never show a stack trace; unknown paths, headers, cookies (fact sheet B1, B5, B10)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from frontend.app import create_app
from tests.frontend.conftest import FRONTEND_BASE, PaymentFactory, frontend_settings


def _unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


async def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=FRONTEND_BASE)


@pytest.mark.asyncio
async def test_an_unreachable_connector_shows_the_system_error_page() -> None:
    app = create_app(frontend_settings(), connector_transport=httpx.MockTransport(_unreachable))
    async with app.router.lifespan_context(app), await _client(app) as client:
        response = await client.get("/secure/2a4c8e36-0000-4000-8000-000000000000")

    assert response.status_code == 500
    assert "We’re experiencing technical problems" in response.text
    assert "Traceback" not in response.text
    assert "ConnectError" not in response.text


@pytest.mark.asyncio
async def test_an_unreadable_connector_answer_shows_the_system_error_page() -> None:
    def garbage(_: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"used": False, "charge": {"nonsense": True}})

    app = create_app(frontend_settings(), connector_transport=httpx.MockTransport(garbage))
    async with app.router.lifespan_context(app), await _client(app) as client:
        response = await client.get("/secure/some-token")

    assert response.status_code == 500
    assert "We’re experiencing technical problems" in response.text


@pytest.mark.asyncio
async def test_unknown_paths_go_to_the_gov_uk_404_page(browser: httpx.AsyncClient) -> None:
    response = await browser.get("/no/such/page")

    assert response.status_code == 302
    assert response.headers["location"] == "https://www.gov.uk/404"


@pytest.mark.asyncio
async def test_session_cookie_is_secure_over_https(
    connector_app: FastAPI, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    app = create_app(
        frontend_settings(base_url="https://pay.example"),
        connector_transport=httpx.ASGITransport(app=connector_app),
    )
    async with app.router.lifespan_context(app), await _client(app) as client:
        response = await client.get(payment.secure_path)

    cookie = response.headers["set-cookie"].lower()
    assert "; secure" in cookie
    assert "httponly" in cookie
    assert "max-age=31536000" in response.headers["strict-transport-security"]


@pytest.mark.asyncio
async def test_a_tampered_session_cookie_is_ignored(
    browser: httpx.AsyncClient, new_payment: PaymentFactory
) -> None:
    payment = await new_payment()
    await browser.get(payment.secure_path)
    browser.cookies.set(
        "frontend_state", browser.cookies["frontend_state"][:-4] + "AAAA", domain="frontend.test"
    )

    response = await browser.get(f"/card_details/{payment.charge_id}")

    assert response.status_code == 403


@pytest.mark.asyncio
async def test_static_govuk_assets_and_csp_report(browser: httpx.AsyncClient) -> None:
    app_js = await browser.get("/static/app.js")
    report = await browser.post("/csp-report", json={"csp-report": {}})

    assert app_js.status_code == 200
    assert "initAll" in app_js.text
    assert report.status_code == 204
