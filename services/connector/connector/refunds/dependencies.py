"""Loaders shared by the refund, search, report and telephone endpoints."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from connector.models import GatewayAccount
from connector.refunds.errors import account_not_found
from pay_common.json_input import is_ascii_digits


def parse_account_id(account_id: str) -> int | None:
    """Account ids in connector paths are the numeric ``gateway_accounts.id``."""
    if not is_ascii_digits(account_id) or len(account_id) > 18:
        return None
    return int(account_id)


async def load_account(session: AsyncSession, account_id: str) -> GatewayAccount:
    """The account, or 404 ``Gateway Account with id [x] not found.``"""
    numeric_id = parse_account_id(account_id)
    account = None
    if numeric_id is not None:
        account = await session.scalar(select(GatewayAccount).where(GatewayAccount.id == numeric_id))
    if account is None:
        raise account_not_found(account_id)
    return account
