"""End-to-end harness: connector, publicapi and the payment pages as real servers on the test
database, driven by Playwright in Debian's headless Chromium.

* Chromium is ``/usr/bin/chromium`` (``scripts/install_chromium.sh``); Playwright never downloads one.
  Missing Chromium fails every e2e test with a clear message, unless ``PAY_SKIP_E2E=1`` says this
  machine has none on purpose (then they are skipped, with the reason in the summary).
* Each page a journey reaches is checked with axe-core (``services/frontend/node_modules``,
  installed by ``scripts/frontend_assets.sh``): no serious or critical violation is allowed.
* A failing test leaves a screenshot of the page in ``test-results/``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Generator, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.async_api import Browser, BrowserContext, Frame, Page, async_playwright
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from connector.app import create_app as create_connector_app
from connector.config import Settings as ConnectorSettings
from frontend.app import create_app as create_frontend_app
from frontend.config import Settings as FrontendSettings
from publicapi.app import create_app as create_publicapi_app
from publicapi.config import Settings as PublicApiSettings
from tests.factories import create_account
from tests.served import ServerThread
from tests.service_tokens import service_token_headers
from tests.stubs.servers import serve_localstripe, serve_worldpay_stub

ROOT = Path(__file__).resolve().parents[2]
#: Debian's chromium; ``PAY_CHROMIUM`` may point elsewhere.
CHROMIUM = Path(os.environ.get("PAY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "services/frontend/node_modules/axe-core/axe.min.js"
GOVUK_CSS = ROOT / "services/frontend/frontend/static/govuk/govuk-frontend.min.css"
RESULTS = ROOT / "test-results"
E2E_STRIPE_SIGNING_SECRET = "whsec_e2e"
#: Every page an accessibility check ran on, written to test-results/e2e-pages-checked.txt.
PAGES_CHECKED: list[str] = []


def _require_browser() -> None:
    if os.environ.get("PAY_SKIP_E2E") == "1":
        pytest.skip("PAY_SKIP_E2E=1: this machine runs without Chromium")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run scripts/install_chromium.sh "
            "(or set PAY_SKIP_E2E=1 on a machine that has no browser on purpose)",
            pytrace=False,
        )
    for needed, how in ((AXE, "scripts/frontend_assets.sh"), (GOVUK_CSS, "scripts/frontend_assets.sh")):
        if not needed.exists():
            pytest.fail(f"{needed.relative_to(ROOT)} is missing: run {how}", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_FAILED] = report.failed


_FAILED = pytest.StashKey[bool]()


@dataclass
class Stack:
    connector: ServerThread
    publicapi: ServerThread
    frontend: ServerThread
    service: ServerThread
    #: The third parties the connector talks to (tests/stubs): Worldpay's XML API, localstripe.
    worldpay: str = ""
    localstripe: str = ""


def _service_app() -> FastAPI:
    """The government service the user returns to: a plain page, so the browser stays on this machine."""
    app = FastAPI()

    @app.get("/return/{reference}", response_class=HTMLResponse)
    async def returned(reference: str) -> str:
        return (
            '<!DOCTYPE html><html lang="en"><head><title>Boat licensing</title></head>'
            f"<body><main><h1>Back at the service</h1><p>{reference}</p></main></body></html>"
        )

    return app


@pytest_asyncio.fixture(scope="session")
async def stack(connector_settings: ConnectorSettings) -> AsyncIterator[Stack]:
    """publicapi, the payment pages and the service, serving for the session; connector's socket.

    Connector itself is served per test (:func:`connector_server`): its worker loops capture and
    expire charges, and must not go on writing once the test that started them has ended.
    """
    _require_browser()
    connector, publicapi, frontend = (
        ServerThread("connector"),
        ServerThread("publicapi"),
        ServerThread("frontend"),
    )
    service = ServerThread("service")
    servers = (frontend, publicapi, connector, service)
    third_parties = ExitStack()
    try:
        worldpay = third_parties.enter_context(serve_worldpay_stub())
        localstripe = third_parties.enter_context(serve_localstripe())
        service.start(_service_app())
        publicapi.start(
            create_publicapi_app(
                PublicApiSettings(
                    base_url=publicapi.url,
                    connector_url=connector.url,
                    token_api_hmac_secret=connector_settings.token_api_hmac_secret,
                    log_json=True,
                )
            )
        )
        frontend.start(
            create_frontend_app(
                FrontendSettings(
                    environment="testing",
                    session_secret="e2e-session-secret",
                    base_url=frontend.url,
                    connector_url=connector.url,
                    waiting_refresh_seconds=1,
                    log_json=True,
                )
            )
        )
        yield Stack(connector, publicapi, frontend, service, worldpay, localstripe)
    finally:
        for server in servers:
            server.close()
        third_parties.close()
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "e2e-pages-checked.txt").write_text("\n".join(PAGES_CHECKED) + "\n", encoding="utf-8")


@pytest.fixture(autouse=True)
def connector_server(stack: Stack, clean_db: str, connector_settings: ConnectorSettings) -> Iterator[None]:
    """Connector, with its worker loops, serving on the stack's connector socket for one test.

    Stopping it ends the app's lifespan, which cancels and awaits the loops: nothing this test
    started captures or expires a charge while the next test's ``clean_db`` empties the tables.
    """
    settings = connector_settings.model_copy(
        update={
            "base_url": stack.connector.url,
            "frontend_url": stack.frontend.url,
            "run_worker": True,
            "worldpay_url": f"{stack.worldpay}/jsp/merchant/xml/paymentService.jsp",
            "stripe_api_base": stack.localstripe,
            "stripe_api_key": SecretStr("sk_test_e2e"),
            "stripe_webhook_signing_secrets": [SecretStr(E2E_STRIPE_SIGNING_SECRET)],
        }
    )
    stack.connector.start(create_connector_app(settings))
    try:
        yield
    finally:
        stack.connector.stop()


@pytest_asyncio.fixture(scope="session")
async def browser(stack: Stack) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest_asyncio.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(locale="en-GB")
    try:
        yield context
    finally:
        await context.close()


@pytest_asyncio.fixture
async def page(context: BrowserContext, request: pytest.FixtureRequest) -> AsyncIterator[Page]:
    page = await context.new_page()
    yield page
    if request.node.stash.get(_FAILED, False):
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        await page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)


@dataclass
class PublicApi:
    """The public API as a service sees it: an account, its API key and an HTTP client."""

    http: httpx.AsyncClient
    account_id: int
    service_url: str

    @property
    def return_url(self) -> str:
        return f"{self.service_url}/return/E2E-1"

    async def create_payment(self, **fields: Any) -> dict[str, Any]:
        body = {
            "amount": 2350,
            "reference": "E2E-1",
            "description": "Renew your boat licence",
            "return_url": self.return_url,
            **fields,
        }
        response = await self.http.post("/v1/payments", json=body)
        assert response.status_code == 201, response.text
        created: dict[str, Any] = response.json()
        return created

    async def get_payment(self, payment_id: str) -> dict[str, Any]:
        response = await self.http.get(f"/v1/payments/{payment_id}")
        assert response.status_code == 200, response.text
        payment: dict[str, Any] = response.json()
        return payment


async def public_api_for(stack: Stack, account_id: int) -> AsyncIterator[PublicApi]:
    """A service's view of the public API for gateway account ``account_id`` (an API key minted for it)."""
    async with httpx.AsyncClient(base_url=stack.connector.url, headers=service_token_headers()) as connector:
        minted = await connector.post(
            "/v1/frontend/auth",
            json={"account_id": str(account_id), "description": "e2e", "created_by": "e2e"},
        )
        assert minted.status_code == 200, minted.text
    headers = {"Authorization": f"Bearer {minted.json()['token']}"}
    async with httpx.AsyncClient(base_url=stack.publicapi.url, headers=headers, timeout=10) as http:
        yield PublicApi(http, account_id, stack.service.url)


@pytest_asyncio.fixture
async def public_api(stack: Stack, db_session: AsyncSession) -> AsyncIterator[PublicApi]:
    account = await create_account(db_session, service_name="Boat licensing")
    async for api in public_api_for(stack, account.id):
        yield api


async def check_accessibility(page: Page | Frame, name: str) -> None:
    """axe-core on the current page: no serious or critical violations (WCAG 2.2 AA rules)."""
    if not await page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Through the DevTools protocol, so the card page's Content-Security-Policy does not block it.
        await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = await page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values:
                ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    serious = [v for v in results if v["impact"] in ("serious", "critical")]
    minor = ", ".join(sorted({f"{v['id']} ({v['impact']})" for v in results})) or "none"
    PAGES_CHECKED.append(f"{name}: {await page.title()} - other findings: {minor}")
    assert not serious, f"accessibility violations on {name}:\n" + json.dumps(serious, indent=2)
