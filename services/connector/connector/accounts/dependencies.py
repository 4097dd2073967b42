"""Request readers shared by the connector's endpoints: JSON bodies and the path's account.

The account endpoints answer with the contract's own messages (``The following fields are
missing: [..]``), so they read the JSON body themselves instead of through pydantic models.
:data:`AccountDep` is the gateway account named by the path's ``{account_id}``, for every
route under one account (charges' refunds, search, reports, telephone payments).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from connector.accounts.errors import GatewayAccountNotFound
from connector.accounts.service import get_account
from connector.errors import BadRequest
from connector.models import GatewayAccount
from connector.postgres import SessionDep

#: One charge of the path's account, and of the account a service names by its type.
ACCOUNT_CHARGE_PATH = "/v1/api/accounts/{account_id}/charges/{charge_id}"
SERVICE_CHARGE_PATH = "/v1/api/service/{service_id}/account/{account_type}/charges/{charge_id}"


async def read_json_body(request: Request) -> Any:
    """The parsed JSON body (None when empty); unparsable JSON is a 400."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("Unable to parse JSON") from None


async def read_json_object(request: Request) -> dict[str, Any]:
    """The JSON body as an object (an empty body reads as ``{}``); anything else is a 400."""
    body = await read_json_body(request)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object")
    return body


async def path_account(account_id: str, session: SessionDep) -> GatewayAccount:
    """The path's account, or 404 ``Gateway Account with id [x] not found.``"""
    return await get_account(session, account_id, not_found=GatewayAccountNotFound)


JsonBody = Annotated[Any, Depends(read_json_body)]
JsonObject = Annotated[dict[str, Any], Depends(read_json_object)]
AccountDep = Annotated[GatewayAccount, Depends(path_account)]
