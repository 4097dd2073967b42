"""Fixtures for the payment pages' HTTP tests: the frontend app talking to the real connector app
in process, and a "browser" (an httpx client that keeps cookies) per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest_asyncio
from fastapi import FastAPI
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import Charge, GatewayAccount
from frontend.app import create_app as create_frontend_app
from frontend.config import Settings as FrontendSettings
from tests.factories import create_account

FRONTEND_BASE = "http://frontend.test"


def frontend_settings(**overrides: Any) -> FrontendSettings:
    values: dict[str, Any] = {
        "environment": "testing",
        "session_secret": "test-session-secret",
        "connector_url": "http://connector.test",
        "base_url": FRONTEND_BASE,
        "log_json": True,
    }
    values.update(overrides)
    return FrontendSettings(**values)


@pytest_asyncio.fixture
async def frontend_app(connector_app: FastAPI, clean_db: str) -> AsyncIterator[FastAPI]:
    app = create_frontend_app(frontend_settings(), connector_transport=httpx.ASGITransport(app=connector_app))
    async with app.router.lifespan_context(app):
        yield app


Browser = Callable[[], Awaitable[httpx.AsyncClient]]


@pytest_asyncio.fixture
async def new_browser(frontend_app: FastAPI) -> AsyncIterator[Browser]:
    """Makes browsers: each keeps its own cookies, as a separate browser would."""
    clients: list[httpx.AsyncClient] = []

    async def make() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=frontend_app), base_url=FRONTEND_BASE)
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.aclose()


@pytest_asyncio.fixture
async def browser(new_browser: Browser) -> httpx.AsyncClient:
    return await new_browser()


@dataclass
class Payment:
    account: GatewayAccount
    charge_id: str
    next_url: str

    @property
    def token(self) -> str:
        return urlsplit(self.next_url).path.rsplit("/", 1)[-1]

    @property
    def secure_path(self) -> str:
        return urlsplit(self.next_url).path


PaymentFactory = Callable[..., Awaitable[Payment]]


@pytest_asyncio.fixture
async def new_payment(connector_client: httpx.AsyncClient, db_session: AsyncSession) -> PaymentFactory:
    """Creates an account (unless given) and a charge through connector's API; returns its next_url."""

    async def make(account: GatewayAccount | None = None, **charge_fields: Any) -> Payment:
        account = account or await create_account(db_session)
        body = {
            "amount": 1234,
            "description": "Pay your parking fine",
            "reference": "PCN-1",
            "return_url": "https://service.example/return/PCN-1",
            **charge_fields,
        }
        response = await connector_client.post(f"/v1/api/accounts/{account.id}/charges", json=body)
        assert response.status_code == 201, response.text
        created = response.json()
        next_url = next(link["href"] for link in created["links"] if link["rel"] == "next_url")
        return Payment(account, created["charge_id"], next_url)

    return make


async def charge_status(connector_client: httpx.AsyncClient, charge_id: str) -> str:
    response = await connector_client.get(f"/v1/frontend/charges/{charge_id}")
    status: str = response.json()["status"]
    return status


async def force_status(db_session: AsyncSession, charge_id: str, status: str) -> None:
    """Arrange a charge in a status the journey would take long to reach (test set-up only)."""
    await db_session.execute(update(Charge).where(Charge.external_id == charge_id).values(status=status))
    await db_session.commit()


async def start(browser: httpx.AsyncClient, payment: Payment) -> httpx.Response:
    """Open next_url and follow to the card details page."""
    response = await browser.get(payment.secure_path)
    assert response.status_code == 303, response.text
    page = await browser.get(response.headers["location"])
    assert page.status_code == 200, page.text
    return page


def csrf_of(page: httpx.Response, form_id: str | None = None) -> str:
    import re

    html = page.text
    if form_id is not None:
        html = html[html.index(f'id="{form_id}"') :]
    match = re.search(r'name="csrfToken" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


GOOD_CARD: dict[str, str] = {
    "cardNo": "4242 4242 4242 4242",
    "expiryMonth": "12",
    "expiryYear": "2035",
    "cardholderName": "Jane Payer",
    "cvc": "123",
    "addressLine1": "1 Street",
    "addressLine2": "",
    "addressCity": "London",
    "addressPostcode": "SW1A 1AA",
    "addressCountry": "GB",
    "email": "jane@example.org",
}


async def submit_card(
    browser: httpx.AsyncClient, payment: Payment, page: httpx.Response, **fields: str
) -> httpx.Response:
    form = {**GOOD_CARD, **fields, "csrfToken": csrf_of(page, "card-details"), "chargeId": payment.charge_id}
    return await browser.post(f"/card_details/{payment.charge_id}", data=form)


async def pay_through_pages(
    browser: httpx.AsyncClient, payment: Payment, **card_fields: str
) -> httpx.Response:
    """The paying user's whole journey: card details, confirm; returns the confirm POST's answer."""
    page = await start(browser, payment)
    await submit_card(browser, payment, page, **card_fields)
    confirm = await browser.get(f"/card_details/{payment.charge_id}/confirm")
    return await browser.post(
        f"/card_details/{payment.charge_id}/confirm", data={"csrfToken": csrf_of(confirm, "confirm-payment")}
    )
