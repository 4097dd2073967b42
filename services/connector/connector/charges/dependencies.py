"""The charge named by the path: ``{account_id}`` and ``{charge_id}`` (404 when not that account's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from connector.charges import service
from connector.models import Charge
from connector.postgres import SessionDep


async def path_charge(account_id: str, charge_id: str, session: SessionDep) -> Charge:
    """The account's charge, or 404 ``Charge with id [x] not found.`` (an unknown account included)."""
    return await service.get_charge_for_account(session, account_id, charge_id)


ChargeDep = Annotated[Charge, Depends(path_charge)]
