"""How failures reach the browser: always as a page, never as a stack trace."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Message, Receive, Scope, Send

from frontend.connector_client import ConnectorUnavailable
from frontend.pages import PageResponse, message_page, system_error
from pay_common.asgi import HttpMiddleware, Refusal
from pay_common.logging import get_logger

logger = get_logger(__name__)

#: Where unknown paths go, as in pay-frontend.
NOT_FOUND_URL = "https://www.gov.uk/404"


async def _page_response(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageResponse)
    return exc.response


async def _connector_unavailable(request: Request, exc: Exception) -> Response:
    logger.error("frontend.connector_unavailable", path=request.url.path, detail=str(exc))
    return system_error(request)


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return RedirectResponse(NOT_FOUND_URL, status_code=302)
    return message_page(request, "generic", status_code=exc.status_code)


def render_refusal(scope: Scope, refusal: Refusal) -> Response:
    """Edge refusals as pages: a path no page can have goes where unknown paths go, the rest
    (oversized body or headers, a bad query string) get the generic error page."""
    if refusal.status == 404:
        return RedirectResponse(NOT_FOUND_URL, status_code=302)
    return message_page(Request(scope), "generic", status_code=refusal.status)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(PageResponse, _page_response)
    app.add_exception_handler(ConnectorUnavailable, _connector_unavailable)
    app.add_exception_handler(StarletteHTTPException, _http_exception)


class ErrorPageMiddleware(HttpMiddleware):
    """Last line: any unexpected exception becomes the system error page (500), logged by type only
    so no form value (a card number) can end up in a log line."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            logger.error("frontend.unhandled_error", path=scope["path"], error=type(exc).__name__)
            if started:
                raise
            response = system_error(Request(scope))
            await response(scope, receive, send)
