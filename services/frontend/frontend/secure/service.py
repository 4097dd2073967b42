"""Token exchange (fact sheet B2 step 1): first use burns the token and binds the charge to this
browser; reuse works only from the browser that holds the charge."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from frontend import session as charge_session
from frontend.connector_client import Charge, ConnectorClient
from frontend.pages import PageResponse, session_expired, system_error
from frontend.state import first_use_path


@dataclass(frozen=True)
class Exchange:
    charge: Charge
    #: For a first use: the card-details-relative path to 303 to. None: render the state page in place.
    redirect_path: str | None


async def exchange_token(request: Request, connector: ConnectorClient, token: str) -> Exchange:
    lookup = await connector.token(token)
    if lookup is None:
        raise PageResponse(session_expired(request))
    charge = lookup.charge
    request.state.language = charge.language
    if not lookup.used:
        if not await connector.mark_token_used(token):
            raise PageResponse(session_expired(request))
        charge_session.bind(request.session, charge.charge_id)
        path = first_use_path(charge.status)
        if path is None:
            # An unused token whose charge already finished: nothing to continue (pay-frontend: 500).
            raise PageResponse(system_error(request, charge))
        return Exchange(charge, path)
    if not charge_session.has_charge(request.session, charge.charge_id):
        raise PageResponse(session_expired(request))
    charge_session.touch(request.session, charge.charge_id)
    return Exchange(charge, None)
