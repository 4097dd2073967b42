"""Rendering: the Jinja2 environment, the message pages of the state table, and
:class:`PageResponse`, which any code can raise to answer with a finished page."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from frontend.config import PACKAGE_DIR
from frontend.connector_client import Charge
from frontend.csrf import new_token
from frontend.i18n import Translator
from frontend.state import StatePage

_env = Environment(
    loader=FileSystemLoader(PACKAGE_DIR / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def pounds(pence: int | None) -> str:
    return f"£{(pence or 0) / 100:,.2f}"


_env.filters["pounds"] = pounds


class PageResponse(Exception):
    """Raised with a finished response; the app answers with it as it is."""

    def __init__(self, response: HTMLResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def language_of(request: Request) -> str:
    language = getattr(request.state, "language", None)
    return language if isinstance(language, str) else "en"


def render(
    request: Request,
    template: str,
    *,
    charge: Charge | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    language = charge.language if charge else language_of(request)
    translate = Translator(language)
    nonce = getattr(request.state, "csp_nonce", None) or secrets.token_hex(16)
    html = _env.get_template(template).render(
        t=translate,
        lang=translate.language,
        charge=charge,
        is_test=bool(charge and charge.gateway_account.type.lower() == "test"),
        service_name=(charge.gateway_account.service_name if charge else None) or translate("service.name"),
        csrf_token=lambda: new_token(request.session),
        nonce=nonce,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def message_page(
    request: Request,
    page: str,
    *,
    charge: Charge | None = None,
    status_code: int = 200,
    link: str | None = None,
    link_text_key: str | None = None,
    refresh: bool = False,
) -> HTMLResponse:
    """One of the simple pages: a heading, a sentence and maybe a link (declined, expired ...)."""
    return render(
        request,
        "message.html",
        charge=charge,
        status_code=status_code,
        page=page,
        link=link,
        link_text_key=link_text_key,
        refresh=refresh,
        refresh_seconds=request.app.state.settings.waiting_refresh_seconds,
    )


def waiting_page(request: Request, charge: Charge, title_key: str) -> HTMLResponse:
    """The page that reloads itself while connector finishes with the charge (an authorisation,
    a capture); ``title_key`` says which."""
    return render(
        request,
        "waiting.html",
        charge=charge,
        title_key=title_key,
        refresh_seconds=request.app.state.settings.waiting_refresh_seconds,
    )


_LINKS: dict[str, str] = {
    "declined": "declined.start_again",
    "error": "error.go_back",
    "success": "success.link",
    "user_cancelled": "user_cancelled.continue",
}


def state_page(request: Request, charge: Charge, page: StatePage) -> HTMLResponse:
    """The page the state table gives a charge whose status the current action does not accept."""
    charge_id = charge.charge_id
    if page.page == "in_progress":
        return render(
            request,
            "in_progress.html",
            charge=charge,
            continue_url=f"/card_details/{charge_id}{page.continue_path or ''}",
            return_url=f"/return/{charge_id}",
        )
    link_key = _LINKS.get(page.page)
    return message_page(
        request,
        page.page,
        charge=charge,
        status_code=page.http_status,
        link=f"/return/{charge_id}" if link_key else None,
        link_text_key=link_key,
        refresh=page.page == "processing",
    )


def session_expired(request: Request) -> HTMLResponse:
    return message_page(request, "expired", status_code=403)


def system_error(request: Request, charge: Charge | None = None, *, status_code: int = 500) -> HTMLResponse:
    return message_page(request, "error", charge=charge, status_code=status_code)


def not_found(request: Request) -> HTMLResponse:
    return message_page(request, "not_found", status_code=404)
