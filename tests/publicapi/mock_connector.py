"""A publicapi app whose connector is a ``respx`` router, for the translation layer.

The real connector cannot be made to time out, answer 5xx or send every documented error
identifier on demand; a scripted one can. The API key is well-formed and resolves to
account ``123456`` as the pacts' examples do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import respx

from pay_common.api_keys import make_key
from publicapi.app import create_app
from publicapi.config import Settings

ACCOUNT_ID = "123456"
BASE_URL = "http://publicapi.test"
CONNECTOR_URL = "http://connector.test"
ACCOUNT_PATH = f"/v1/api/accounts/{ACCOUNT_ID}"


@asynccontextmanager
async def mocked_publicapi(
    router: respx.Router, *, read_timeout: float = 10.0
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    """(client, auth headers) on a publicapi whose connector is ``router``."""
    settings = Settings(
        base_url=BASE_URL, connector_url=CONNECTOR_URL, connector_read_timeout=read_timeout, log_json=True
    )
    router.get("/v1/api/auth").respond(
        200, json={"account_id": ACCOUNT_ID, "token_type": "CARD", "token_link": "link-1"}
    )
    app = create_app(settings, connector_transport=httpx.MockTransport(router.async_handler))
    key = make_key("mocktoken0000000000000000000000", settings.token_api_hmac_secret.get_secret_value())
    async with app.router.lifespan_context(app):
        # Unhandled errors must come back as the app's 500, not be re-raised into the test.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client, {"Authorization": f"Bearer {key}"}


def new_router() -> respx.Router:
    return respx.Router(base_url=CONNECTOR_URL, assert_all_called=False)
