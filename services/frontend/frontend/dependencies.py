"""Guards shared by the journey's routes (fact sheet B1): session cookie, fetch charge, language,
state enforcer and CSRF. Each raises :class:`PageResponse` with the page the user must see."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from frontend import session as charge_session
from frontend.connector_client import Charge, ConnectorClient
from frontend.csrf import has_secret, is_valid
from frontend.pages import PageResponse, not_found, session_expired, state_page, system_error
from frontend.state import Action, is_allowed, page_for


async def get_connector(request: Request) -> ConnectorClient:
    # async: FastAPI would run a plain ``def`` dependency in a worker thread on every request.
    return ConnectorClient(request.app.state.connector_http)


ConnectorDep = Annotated[ConnectorClient, Depends(get_connector)]


async def load_charge(
    request: Request, connector: ConnectorClient, charge_id: str, *, require_session: bool = True
) -> Charge:
    """The charge, after checking this browser holds it (403 "session expired" otherwise)."""
    if require_session:
        if not charge_session.has_charge(request.session, charge_id):
            raise PageResponse(session_expired(request))
        charge_session.touch(request.session, charge_id)
    charge = await connector.charge(charge_id)
    if charge is None:
        raise PageResponse(not_found(request))
    request.state.language = charge.language
    return charge


def enforce(request: Request, charge: Charge, action: Action) -> None:
    """Render the state table's page in place when ``action`` does not accept the charge's status."""
    if not is_allowed(action, charge.status, charge.provider):
        raise PageResponse(state_page(request, charge, page_for(charge.status)))


async def check_csrf(request: Request, charge: Charge) -> None:
    form = await request.form()
    token = form.get("csrfToken")
    if not has_secret(request.session):
        raise PageResponse(session_expired(request))
    if not is_valid(request.session, token if isinstance(token, str) else None):
        # The documented page (fact sheet B6), but a 400: a missing or forged token is the
        # client's input, never a server error (docs/decisions.md, "Hostile input").
        raise PageResponse(system_error(request, charge, status_code=400))


async def guarded_charge(
    request: Request, connector: ConnectorClient, charge_id: str, action: Action, *, csrf: bool = False
) -> Charge:
    """The ``std`` guard chain: session, charge, language, CSRF (POSTs), state enforcer."""
    charge = await load_charge(request, connector, charge_id)
    if csrf:
        await check_csrf(request, charge)
    enforce(request, charge, action)
    return charge
